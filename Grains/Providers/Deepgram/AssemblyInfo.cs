using System.Runtime.CompilerServices;

// The Deepgram tests check the Settings wire shape built by internal types.
[assembly: InternalsVisibleTo("AiAgent.Deepgram.Tests")]
