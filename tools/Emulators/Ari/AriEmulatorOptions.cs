using Microsoft.Extensions.Logging;

namespace AiAgent.Emulators.Ari;

/// <summary>How an <see cref="AriEmulator"/> listens and whom it lets in.</summary>
public sealed class AriEmulatorOptions
{
    /// <summary>Loopback address to bind (default 127.0.0.1).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (tests).</summary>
    public int Port { get; set; }

    /// <summary>The <c>ari.conf</c> user REST (basic auth) and the events socket (<c>api_key=user:pass</c>) require.</summary>
    public string UserName { get; set; } = "aiagent";

    /// <summary>Its password.</summary>
    public string Password { get; set; } = "emulator-secret";

    /// <summary>The <c>asterisk_id</c> every event carries.</summary>
    public string AsteriskId { get; set; } = "02:fc:00:00:00:01";

    /// <summary>The TCP connect timeout of external media (Asterisk's is 2,000 ms).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Logs (none when null).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
