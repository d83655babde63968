namespace AiAgent.Emulators.Common;

/// <summary>
/// Speech detection by frame energy, as the emulators' stand-in for a provider's VAD: speech starts when a
/// 20 ms window is louder than the threshold for <c>minSpeechMs</c>, and stops after <c>silenceMs</c> below it.
/// Input is PCM16 mono at any rate (decode G.711 first).
/// </summary>
public sealed class EnergyVad(int sampleRate, double thresholdDbfs = -40, int minSpeechMs = 100, int silenceMs = 500)
{
    private readonly int _windowSamples = sampleRate / 50;
    private double _windowEnergy;
    private int _windowFill;
    private int _loudMs;
    private int _quietMs;

    /// <summary>Samples seen so far.</summary>
    public long SamplesSeen { get; private set; }

    /// <summary>True between a speech start and its stop.</summary>
    public bool InSpeech { get; private set; }

    /// <summary>Milliseconds of audio (from the start of the stream) where the current or last speech started.</summary>
    public long SpeechStartMs { get; private set; }

    /// <summary>Milliseconds of audio where the last speech stopped.</summary>
    public long SpeechEndMs { get; private set; }

    /// <summary>Feeds samples; returns +1 when speech starts, -1 when it stops, 0 otherwise (at most one edge per call).</summary>
    public int Process(ReadOnlySpan<short> samples)
    {
        var edge = 0;
        foreach (var s in samples)
        {
            _windowEnergy += (double)s * s;
            _windowFill++;
            SamplesSeen++;
            if (_windowFill < _windowSamples)
            {
                continue;
            }

            var rms = Math.Sqrt(_windowEnergy / _windowFill);
            var dbfs = 20 * Math.Log10(Math.Max(rms, 1e-9) / 32768.0);
            _windowEnergy = 0;
            _windowFill = 0;
            var nowMs = SamplesSeen * 1000 / sampleRate;
            if (dbfs > thresholdDbfs)
            {
                _loudMs += 20;
                _quietMs = 0;
                if (!InSpeech && _loudMs >= minSpeechMs && edge == 0)
                {
                    InSpeech = true;
                    SpeechStartMs = nowMs - _loudMs;
                    edge = 1;
                }
            }
            else
            {
                _quietMs += 20;
                _loudMs = 0;
                if (InSpeech && _quietMs >= silenceMs && edge == 0)
                {
                    InSpeech = false;
                    SpeechEndMs = nowMs - _quietMs;
                    edge = -1;
                }
            }
        }

        return edge;
    }
}
