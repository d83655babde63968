using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiAgent.Silo.Api;

/// <summary>
/// <c>GET /api/calls/{id}/disposition</c> (docs/api.md, "Call disposition"): what a call ended with, as the plain-text
/// body Asterisk's <c>CURL()</c> puts in a dialplan variable. Open to the Asterisk hosts in
/// <see cref="DispositionAccessOptions"/>, not behind the operator token.
/// </summary>
public static partial class CallDispositionApi
{
    private const string PlainText = "text/plain; charset=utf-8";

    /// <summary>Binds and validates <c>asterisk.disposition_clients</c>.</summary>
    public static WebApplicationBuilder AddCallDispositionApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptionsWithValidateOnStart<DispositionAccessOptions>().Bind(builder.Configuration.GetSection(DispositionAccessOptions.SectionName));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DispositionAccessOptions>, DispositionAccessOptionsValidator>());
        return builder;
    }

    /// <summary>Maps <c>GET /api/calls/{id}/disposition</c>, allowed by peer address only.</summary>
    public static RouteHandlerBuilder MapCallDispositionApi(this IEndpointRouteBuilder endpoints)
    {
        var networks = endpoints.ServiceProvider.GetRequiredService<IOptions<DispositionAccessOptions>>().Value.Networks();
        return endpoints.MapGet("/api/calls/{id}/disposition", (string id, HttpContext context, IGrainFactory grains, ILoggerFactory loggers, CancellationToken cancellationToken) =>
                DispositionAccessOptions.Allows(networks, context.Connection.RemoteIpAddress)
                    ? GetDispositionAsync(id, grains, cancellationToken)
                    : Task.FromResult(Refused(context, loggers)))
            .WithName("GetCallDisposition");
    }

    /// <summary>
    /// The disposition of an ended call; <c>reconnect</c> for a call still live (its AudioSocket session ended without
    /// the platform ending it: the gateway went away); 404 <c>unknown</c> for a call never started; 400 for a bad id.
    /// </summary>
    internal static async Task<IResult> GetDispositionAsync(string id, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var callId))
        {
            return Results.Text($"'{id}' is not a call id", PlainText, statusCode: StatusCodes.Status400BadRequest);
        }

        var snapshot = await grains.ReadCallSnapshotAsync(callId, cancellationToken);
        return snapshot switch
        {
            null or { State: CallState.New } => Results.Text("unknown", PlainText, statusCode: StatusCodes.Status404NotFound),
            { State: CallState.Ended } ended => Results.Text(Of(ended).ToString(), PlainText),
            _ => Results.Text(CallDisposition.Reconnect.ToString(), PlainText),
        };
    }

    /// <summary>A stored disposition, or (for a record written before dispositions existed) the one its end reason implies.</summary>
    private static CallDisposition Of(CallSnapshot ended) =>
        ended.Disposition ?? (ended.EndReason is { } reason ? CallDisposition.ForEndReason(reason) : CallDisposition.Error);

    private static IResult Refused(HttpContext context, ILoggerFactory loggers)
    {
        LogRefused(loggers.CreateLogger(typeof(CallDispositionApi)), context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return Results.Text("forbidden: this address is not in asterisk.disposition_clients", PlainText, statusCode: StatusCodes.Status403Forbidden);
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Call disposition refused to {RemoteAddress}: not in asterisk.disposition_clients")]
    private static partial void LogRefused(ILogger logger, string remoteAddress);
}
