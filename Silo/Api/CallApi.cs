using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Silo.Calls;
using AiAgent.Silo.Operators;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiAgent.Silo.Api;

/// <summary>
/// The call API (<c>docs/api.md</c>): live calls from the call directory, a call's snapshot from its grain, an ended
/// call's record from storage. Behind <see cref="OperatorAccess"/>.
/// </summary>
public static class CallApi
{
    /// <summary>Source-generated JSON for the API's responses.</summary>
    public static WebApplicationBuilder AddCallApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CallApiJsonContext.Default));
        builder.Services.AddProblemDetails();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>Maps <c>/api/calls</c>.</summary>
    public static RouteGroupBuilder MapCallApi(this IEndpointRouteBuilder endpoints)
    {
        var calls = endpoints.MapGroup("/api/calls").RequireAuthorization(OperatorAccess.Policy);
        calls.MapGet("/", ListLiveCallsAsync).WithName("ListLiveCalls");
        calls.MapGet("/{id}", GetCallAsync).WithName("GetCall");
        calls.MapGet("/{id}/history", GetCallHistoryAsync).WithName("GetCallHistory");
        calls.MapPost("/{id}/end", EndCallAsync).WithName("EndCall");
        return calls;
    }

    /// <summary>
    /// <c>GET /api/calls</c>: live calls, oldest first, from the call directory's listings (which carry the figures
    /// the list shows): one request per silo, never one per call.
    /// </summary>
    internal static async Task<Ok<LiveCall[]>> ListLiveCallsAsync(CallDirectory directory, TimeProvider clock, CancellationToken cancellationToken)
    {
        var listings = await directory.ListLiveAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        return TypedResults.Ok(listings.Select(l => LiveCall.From(l, now)).ToArray());
    }

    /// <summary><c>GET /api/calls/{id}</c>: the call grain's snapshot (live, or the stored record once ended).</summary>
    internal static async Task<Results<Ok<CallDetails>, ProblemHttpResult>> GetCallAsync(string id, IGrainFactory grains, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var callId))
        {
            return BadId(id);
        }

        var snapshot = await grains.ReadCallSnapshotAsync(callId, cancellationToken);
        return snapshot is null or { State: CallState.New }
            ? UnknownCall(callId)
            : TypedResults.Ok(CallDetails.From(snapshot, clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>
    /// <c>GET /api/calls/{id}/history</c>: an ended call's record, read from storage by the call locator (no call grain is activated);
    /// 404 for a call never started, 409 for one still live (its record is final only once it ends).
    /// </summary>
    internal static async Task<Results<Ok<CallDetails>, ProblemHttpResult>> GetCallHistoryAsync(string id, IGrainFactory grains, TimeProvider clock)
    {
        if (!Guid.TryParse(id, out var callId))
        {
            return BadId(id);
        }

        return await grains.GetCallLocator().ReadSnapshotAsync(callId) switch
        {
            null => UnknownCall(callId),
            { State: CallState.Ended } ended => TypedResults.Ok(CallDetails.From(ended, clock.GetUtcNow().UtcDateTime)),
            _ => TypedResults.Problem($"call {callId} has not ended; see /api/calls/{callId}", statusCode: StatusCodes.Status409Conflict, title: "Call is live"),
        };
    }

    /// <summary>
    /// <c>POST /api/calls/{id}/end</c> with <c>{"disposition":"transfer:sales"}</c>: ends a live call with that
    /// disposition once its queued agent audio has played (400 bad disposition, 404 unknown call, 409 not live).
    /// </summary>
    internal static async Task<Results<NoContent, ProblemHttpResult>> EndCallAsync(string id, EndCallRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var callId))
        {
            return BadId(id);
        }

        if (!CallDisposition.TryParse(request.Disposition, out var disposition))
        {
            return TypedResults.Problem(
                $"'{request.Disposition}' is not a disposition: hangup, transfer:<name> (1-64 of A-Z a-z 0-9 _ . -), reconnect or error",
                statusCode: StatusCodes.Status400BadRequest, title: "Bad disposition");
        }

        if (await grains.FindCallGrainAsync(callId, cancellationToken) is { } call && await call.EndAsync(disposition).WaitAsync(cancellationToken))
        {
            return TypedResults.NoContent();
        }

        var snapshot = await grains.ReadCallSnapshotAsync(callId, cancellationToken);
        return snapshot is null or { State: CallState.New }
            ? UnknownCall(callId)
            : TypedResults.Problem($"call {callId} is not live ({snapshot.State})", statusCode: StatusCodes.Status409Conflict, title: "Call not live");
    }

    private static ProblemHttpResult BadId(string id) =>
        TypedResults.Problem($"'{id}' is not a call id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e)", statusCode: StatusCodes.Status400BadRequest, title: "Bad call id");

    private static ProblemHttpResult UnknownCall(Guid callId) =>
        TypedResults.Problem($"no call {callId} has started here", statusCode: StatusCodes.Status404NotFound, title: "Unknown call");

}
