namespace AiAgent.Failover.Ari;

/// <summary>How the harness plays Asterisk (<c>--asterisk</c>).</summary>
internal enum AsteriskMode
{
    /// <summary>The dialplan's <c>AudioSocket()</c>: CallSim connects each call straight to a gateway.</summary>
    Dialplan,

    /// <summary>
    /// <c>Stasis()</c> and ARI: the harness hosts the ARI emulator as the Asterisk, the silos drive the calls over ARI,
    /// and each call's external-media leg dials a gateway (docs/ari.md, docs/failover-harness.md#ari-mode).
    /// </summary>
    Ari,
}

/// <summary>The modes' names on the command line and in reports.</summary>
internal static class AsteriskModeNames
{
    /// <summary>The mode called <paramref name="name"/> (<c>dialplan</c>, <c>ari</c>).</summary>
    public static bool TryParse(string name, out AsteriskMode mode)
    {
        (var known, mode) = name switch
        {
            "dialplan" => (true, AsteriskMode.Dialplan),
            "ari" => (true, AsteriskMode.Ari),
            _ => (false, AsteriskMode.Dialplan),
        };
        return known;
    }

    /// <summary>The command-line name of <paramref name="mode"/>.</summary>
    public static string Name(this AsteriskMode mode) => mode == AsteriskMode.Ari ? "ari" : "dialplan";
}
