using System.Reflection;

namespace AiAgent.Silo.Operators;

/// <summary>
/// The operators' page: plain HTML, CSS and JavaScript from <c>wwwroot/operators</c>, embedded in the assembly (no
/// build step, nothing to deploy beside the binary), served behind <see cref="OperatorAccess"/>. It polls the call API.
/// </summary>
public static class OperatorsPage
{
    /// <summary>The page's path.</summary>
    public const string Path = "/operators";

    private static readonly (string File, string ContentType)[] Files =
    [
        ("index.html", "text/html; charset=utf-8"),
        ("operators.js", "text/javascript; charset=utf-8"),
        ("operators.css", "text/css; charset=utf-8"),
        ("login.html", "text/html; charset=utf-8"),
    ];

    /// <summary>Maps <c>/</c> (redirect), <c>/operators</c>, its assets, and the login form for token deployments.</summary>
    public static WebApplication MapOperatorsPage(this WebApplication app)
    {
        var assembly = typeof(OperatorsPage).Assembly;
        var assets = Files.ToDictionary(f => f.File, f => new PageAsset(Load(assembly, f.File), f.ContentType), StringComparer.Ordinal);

        app.MapGet("/", () => TypedResults.Redirect(Path)).ExcludeFromDescription();
        var page = app.MapGroup(Path);
        page.MapGet("/", () => assets["index.html"].Result()).RequireAuthorization(OperatorAccess.Policy);
        page.MapGet("/operators.js", () => assets["operators.js"].Result()).RequireAuthorization(OperatorAccess.Policy);
        page.MapGet("/operators.css", () => assets["operators.css"].Result()).RequireAuthorization(OperatorAccess.Policy);

        // The login form is open: it only turns a token the operator types into an HttpOnly, same-site cookie.
        page.MapGet("/login", () => assets["login.html"].Result());
        page.MapPost("/login", LoginAsync).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> LoginAsync(HttpContext context, OperatorAccess access)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var token = form["token"].ToString();
        if (!access.TokenRequired || !access.Accepts(token))
        {
            return TypedResults.Redirect(Path + "/login?failed=1");
        }

        context.Response.Cookies.Append(OperatorAccess.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
        });
        return TypedResults.Redirect(Path);
    }

    private static byte[] Load(Assembly assembly, string file)
    {
        using var stream = assembly.GetManifestResourceStream("AiAgent.Silo.wwwroot.operators." + file)
            ?? throw new InvalidOperationException($"embedded resource wwwroot/operators/{file} is missing from {assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed record PageAsset(byte[] Content, string ContentType)
    {
        public IResult Result() => TypedResults.Bytes(Content, ContentType);
    }
}
