using Orleans.Dashboard;

namespace AiAgent.Silo.Operators;

/// <summary>
/// The Orleans Dashboard (grain-level views) at <c>/dashboard</c>, behind <see cref="OperatorAccess"/>. Its live log
/// trace and grain-state views expose call internals, so they are only served to token holders: with no token
/// configured (loopback development) the trace is hidden and grain state answers 403.
/// </summary>
public static class OperatorsDashboard
{
    /// <summary>The dashboard's route prefix.</summary>
    public const string Path = "/dashboard";

    /// <summary>Adds the dashboard's silo services (on every silo: it collects per-silo grain statistics).</summary>
    public static WebApplicationBuilder AddOperatorsDashboard(this WebApplicationBuilder builder, OperatorAccess access)
    {
        builder.UseOrleans(silo => silo.AddDashboard(o => o.HideTrace = !access.TokenRequired));

        // The dashboard's resilience pipelines log every grain placement at Information.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        return builder;
    }

    /// <summary>Maps the dashboard UI and its APIs.</summary>
    public static WebApplication MapOperatorsDashboard(this WebApplication app)
    {
        var access = app.Services.GetRequiredService<OperatorAccess>();
        if (!access.TokenRequired)
        {
            app.UseWhen(
                c => c.Request.Path.StartsWithSegments(Path + "/GrainState", StringComparison.OrdinalIgnoreCase),
                b => b.Run(c =>
                {
                    c.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return c.Response.WriteAsync($"The grain state view needs an API token ({OperatorAccess.TokenVariable}).");
                }));
        }

        app.MapOrleansDashboard(Path).RequireAuthorization(OperatorAccess.Policy);
        return app;
    }
}
