using System.Globalization;
using System.Text;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// The dialplan functions the documented dialplans use: <c>UUID()</c>, <c>CURL(url[,post-data])</c>,
/// <c>CUT(var,delimiter,fields)</c> and <c>LEN(text)</c>. Any other is reported as Asterisk does ("not registered")
/// and expands to nothing.
/// </summary>
internal sealed class DialplanFunctions(DialplanRunSettings settings, HttpClient http)
{
    public async ValueTask<string> CallAsync(DialplanChannel channel, string name, string arguments, CancellationToken cancellationToken)
    {
        switch (name.ToUpperInvariant())
        {
            case "UUID":
                // func_uuid: a fresh random UUID in canonical lower-case form.
                return Guid.NewGuid().ToString("D");
            case "LEN":
                return arguments.Length.ToString(CultureInfo.InvariantCulture);
            case "CUT":
                return Cut(channel, ApplicationArguments.Split(arguments));
            case "CURL":
                return await CurlAsync(channel, ApplicationArguments.Split(arguments), cancellationToken).ConfigureAwait(false);
            default:
                channel.Warn($"Function {name} not registered");
                return "";
        }
    }

    /// <summary>
    /// func_curl: GET (POST with post-data), and the body becomes the value <b>whatever the HTTP status</b> (func_curl
    /// sets no fail-on-error option, so a 404 page is returned like a 200 body), trailing whitespace trimmed. A
    /// transfer failure (refused, timed out) logs a WARNING and expands to nothing.
    /// </summary>
    private async ValueTask<string> CurlAsync(DialplanChannel channel, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args[0].Length == 0)
        {
            channel.Warn("CURL requires an argument (URL)");
            return "";
        }

        if (args[0].AsSpan().IndexOfAny('\r', '\n') >= 0 || !Uri.TryCreate(args[0], UriKind.Absolute, out var url))
        {
            channel.Warn($"CURL: '{args[0]}' is not a URL");
            return "";
        }

        var targets = settings.Endpoints.ResolveAll(url);
        for (var i = 0; ; i++)
        {
            try
            {
                return await RequestAsync(channel, url, targets[i], args, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (i + 1 < targets.Count && ex.InnerException is System.Net.Sockets.SocketException)
            {
                // Several targets stand for a Service: the request goes to the first that accepts the connection.
                channel.Note($"CURL {targets[i].Authority} did not accept ({ex.Message})");
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                channel.Warn($"func_curl: {ex.Message} ('{url}')");
                return "";
            }
        }
    }

    private async Task<string> RequestAsync(DialplanChannel channel, Uri url, Uri target, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.CurlTimeout);
        using var request = new HttpRequestMessage(args.Count > 1 ? HttpMethod.Post : HttpMethod.Get, target);
        if (args.Count > 1)
        {
            request.Content = new StringContent(args[1], Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        var body = (await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false)).TrimEnd();
        channel.Note($"CURL {request.Method} {url} -> {(int)response.StatusCode}, body '{Shorten(body)}'");
        return body;
    }

    /// <summary>func_cut: fields of a variable's value, 1-based, <c>2</c>, <c>2-3</c>, <c>2-</c> or <c>-2</c>.</summary>
    private static string Cut(DialplanChannel channel, IReadOnlyList<string> args)
    {
        var value = channel.GetVariable(args[0]) ?? "";
        var delimiter = args.Count > 1 && args[1].Length > 0 ? args[1][0] : '-';
        var spec = args.Count > 2 ? args[2] : "1";
        var fields = value.Split(delimiter);
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        int first, last;
        if (dash < 0)
        {
            first = last = Number(spec, 1);
        }
        else
        {
            first = Number(spec[..dash], 1);
            last = Number(spec[(dash + 1)..], fields.Length);
        }

        first = Math.Max(1, first);
        last = Math.Min(fields.Length, last);
        return first > last ? "" : string.Join(delimiter, fields[(first - 1)..last]);
    }

    private static int Number(string text, int empty) =>
        text.Length == 0 ? empty : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
