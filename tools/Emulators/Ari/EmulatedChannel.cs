namespace AiAgent.Emulators.Ari;

/// <summary>A channel held by the emulator: a caller placed by a test, or an external-media channel (guarded by the emulator's lock).</summary>
internal sealed class EmulatedChannel
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string CreationTime { get; init; }

    public string State { get; set; } = "Ring";

    public string CallerName { get; init; } = string.Empty;

    public string CallerNumber { get; init; } = string.Empty;

    public string Context { get; set; } = "default";

    public string Exten { get; set; } = "s";

    public long Priority { get; set; } = 1;

    public string AppName { get; set; } = string.Empty;

    public string AppData { get; set; } = string.Empty;

    /// <summary>The Stasis application it is in; null once it left (continue, hangup) or before it entered.</summary>
    public string? StasisApp { get; set; }

    /// <summary>The application its events go to outside Stasis, when subscribed (or created by the application).</summary>
    public string? SubscribedApp { get; set; }

    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public EmulatedBridge? Bridge { get; set; }

    public bool Destroyed { get; set; }

    public bool OnHold { get; set; }

    public string? ContinuedTo { get; set; }

    /// <summary>External media: the <c>data</c> UUID; null for a caller.</summary>
    public Guid? ExternalUuid { get; init; }

    /// <summary>External media: <c>HOST:PORT</c>.</summary>
    public string ExternalHost { get; init; } = string.Empty;

    /// <summary>External media: the AudioSocket leg.</summary>
    public ExternalMediaLink? Link { get; set; }

    /// <summary>A caller: its test handle.</summary>
    public AriEmulatorCall? Call { get; set; }

    /// <summary>A channel the application originated (<c>POST /channels</c>): the far end's test handle.</summary>
    public AriEmulatorDialled? Dialled { get; set; }

    /// <summary>An originated channel: the <c>Stasis(app,appArgs)</c> data it runs once answered.</summary>
    public string OriginateAppData { get; init; } = string.Empty;

    /// <summary>The application events about this channel go to, if any.</summary>
    public string? EventApp => StasisApp ?? SubscribedApp;
}
