namespace AiAgent.Grains.Audio;

/// <summary>What <see cref="EnergyVad.Process"/> saw in a chunk.</summary>
public enum VadEdge
{
    /// <summary>No change.</summary>
    None = 0,

    /// <summary>Speech started in this chunk.</summary>
    SpeechStarted = 1,

    /// <summary>Speech ended (enough silence followed it) in this chunk.</summary>
    SpeechStopped = 2,
}

/// <summary>
/// Voice activity by frame energy: speech starts when 20 ms windows stay louder than a threshold for
/// <c>minSpeechMs</c>, and stops after <c>silenceMs</c> below it. Input is PCM16 mono at any rate.
/// Good enough for an offline provider and for emulators; real providers run their own VAD.
/// </summary>
public sealed class EnergyVad
{
    private readonly int _sampleRate;
    private readonly int _windowSamples;
    private readonly double _thresholdPower;
    private readonly int _minSpeechMs;
    private readonly int _silenceMs;
    private double _windowEnergy;
    private int _windowFill;
    private int _loudMs;
    private int _quietMs;

    /// <summary>Creates a detector.</summary>
    /// <param name="sampleRate">Sample rate of the PCM16 input.</param>
    /// <param name="thresholdDbfs">Window energy above this (dBFS, RMS) counts as speech.</param>
    /// <param name="minSpeechMs">Loud time needed before speech is declared.</param>
    /// <param name="silenceMs">Quiet time after speech that ends it.</param>
    public EnergyVad(int sampleRate, double thresholdDbfs = -40, int minSpeechMs = 100, int silenceMs = 500)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1000);
        _sampleRate = sampleRate;
        _windowSamples = sampleRate / 50;
        var amplitude = 32768.0 * Math.Pow(10, thresholdDbfs / 20);
        _thresholdPower = amplitude * amplitude;
        _minSpeechMs = minSpeechMs;
        _silenceMs = silenceMs;
    }

    /// <summary>Samples seen so far.</summary>
    public long SamplesSeen { get; private set; }

    /// <summary>Milliseconds of audio seen so far.</summary>
    public long ElapsedMs => SamplesSeen * 1000 / _sampleRate;

    /// <summary>True between a speech start and its stop.</summary>
    public bool InSpeech { get; private set; }

    /// <summary>Stream offset (ms) where the current or last speech started.</summary>
    public long SpeechStartMs { get; private set; }

    /// <summary>Stream offset (ms) where the last speech stopped.</summary>
    public long SpeechEndMs { get; private set; }

    /// <summary>Feeds samples and reports the first edge found in them (at most one per call; feed ≤ 20 ms to see every edge).</summary>
    public VadEdge Process(ReadOnlySpan<short> samples)
    {
        var edge = VadEdge.None;
        foreach (var s in samples)
        {
            _windowEnergy += (double)s * s;
            _windowFill++;
            SamplesSeen++;
            if (_windowFill < _windowSamples)
            {
                continue;
            }

            var loud = _windowEnergy / _windowFill > _thresholdPower;
            _windowEnergy = 0;
            _windowFill = 0;
            if (loud)
            {
                _loudMs += 20;
                _quietMs = 0;
                if (!InSpeech && _loudMs >= _minSpeechMs && edge == VadEdge.None)
                {
                    InSpeech = true;
                    SpeechStartMs = ElapsedMs - _loudMs;
                    edge = VadEdge.SpeechStarted;
                }
            }
            else
            {
                _quietMs += 20;
                _loudMs = 0;
                if (InSpeech && _quietMs >= _silenceMs && edge == VadEdge.None)
                {
                    InSpeech = false;
                    SpeechEndMs = ElapsedMs - _quietMs;
                    edge = VadEdge.SpeechStopped;
                }
            }
        }

        return edge;
    }

    /// <summary>Forgets everything (a new stream).</summary>
    public void Reset()
    {
        _windowEnergy = 0;
        _windowFill = 0;
        _loudMs = 0;
        _quietMs = 0;
        InSpeech = false;
    }
}
