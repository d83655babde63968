using System.Globalization;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// An Asterisk release, for the behaviours that changed by version (docs/protocols/asterisk.md#versions): whether the
/// dialplan continues after the server ends an AudioSocket session, and whether rate labels 0x11-0x18 exist.
/// </summary>
public readonly record struct AsteriskVersion(int Major, int Minor, int Patch = 0) : IComparable<AsteriskVersion>
{
    /// <summary>The build the facts were observed on (the 22 branch, holding every AudioSocket change up to 22.10).</summary>
    public static readonly AsteriskVersion Default = new(22, 10);

    /// <summary>
    /// 20.14 / 21.9 / 22.4 / 23.0 and later: a hangup frame or EOF from the server ends the session gracefully (the
    /// application returns 0, the dialplan continues). Before: a hangup frame makes the application return -1.
    /// </summary>
    public bool ContinuesAfterServerHangup => AtLeast(14, 9, 4, 0);

    /// <summary>20.17 / 21.12 / 22.7 / 23.1 and later label slin12..slin192 audio 0x11-0x18; before, every frame is 0x10.</summary>
    public bool LabelsRates => AtLeast(17, 12, 7, 1);

    /// <summary>Parses <c>22</c>, <c>22.4</c> or <c>22.4.0</c>.</summary>
    public static bool TryParse(string? text, out AsteriskVersion version)
    {
        version = default;
        var parts = (text ?? "").Split('.');
        if (parts.Length is < 1 or > 3)
        {
            return false;
        }

        var numbers = new int[3];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        version = new AsteriskVersion(numbers[0], numbers[1], numbers[2]);
        return version.Major >= 1;
    }

    /// <inheritdoc />
    public int CompareTo(AsteriskVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major)
        : Minor != other.Minor ? Minor.CompareTo(other.Minor)
        : Patch.CompareTo(other.Patch);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}");

    /// <summary>A change backported to four branches: at least the given minor on 20, 21, 22 or 23; every later major has it.</summary>
    private bool AtLeast(int on20, int on21, int on22, int on23) => Major switch
    {
        < 20 => false,
        20 => Minor >= on20,
        21 => Minor >= on21,
        22 => Minor >= on22,
        23 => Minor >= on23,
        _ => true,
    };
}
