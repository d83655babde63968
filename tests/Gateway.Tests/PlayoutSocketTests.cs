using System.Buffers;
using System.IO.Pipelines;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Gateway.Playout;

namespace AiAgent.Gateway.Tests;

public sealed class PlayoutSocketTests
{
    private const int Frame = 320;

    [Fact]
    public async Task Frames_are_written_whole_with_the_socket_label()
    {
        var pipe = new Pipe();
        var socket = new PlayoutSocket(pipe.Writer, AudioSocketKind.Slin8, Frame);

        socket.ReserveFrame().Fill(7);
        socket.CommitFrame();
        socket.WriteSilence(0);
        Assert.True(socket.Flush());

        var read = await pipe.Reader.ReadAsync();
        var bytes = read.Buffer.ToArray();
        Assert.Equal(2 * (AudioSocketFrameReader.HeaderLength + Frame), bytes.Length);
        Assert.Equal([0x10, 0x01, 0x40], bytes[..3]);
        Assert.All(bytes[3..(3 + Frame)], b => Assert.Equal(7, b));
        Assert.All(bytes[(6 + Frame)..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_reserved_frame_that_is_not_committed_is_not_written()
    {
        var pipe = new Pipe();
        var socket = new PlayoutSocket(pipe.Writer, AudioSocketKind.Slin8, Frame);

        socket.ReserveFrame();
        Assert.True(socket.Flush());

        Assert.Equal(0, pipe.Writer.UnflushedBytes);
        Assert.False(pipe.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_slow_peer_leaves_its_flush_in_flight_without_blocking_until_it_reads()
    {
        // The writer pauses past one frame: the second frame's flush waits for the reader.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: Frame, resumeWriterThreshold: 1, useSynchronizationContext: false));
        var socket = new PlayoutSocket(pipe.Writer, AudioSocketKind.Slin8, Frame);
        socket.WriteSilence(0);
        socket.WriteSilence(0);

        Assert.True(socket.Flush());
        Assert.Equal(FlushState.InFlight, socket.PollPendingFlush());

        // Reading resumes the writer at once (only the continuation would be scheduled, and nothing awaits).
        var read = await pipe.Reader.ReadAsync();
        pipe.Reader.AdvanceTo(read.Buffer.End);

        Assert.Equal(FlushState.Ready, socket.PollPendingFlush());
        Assert.Null(socket.TakePendingFlush());
    }

    [Fact]
    public void A_peer_that_stopped_reading_is_gone()
    {
        var pipe = new Pipe();
        var socket = new PlayoutSocket(pipe.Writer, AudioSocketKind.Slin8, Frame);
        pipe.Reader.Complete();

        socket.WriteSilence(0);

        Assert.False(socket.Flush());
    }

    [Fact]
    public async Task A_flush_in_flight_at_close_is_handed_over_once()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: Frame, resumeWriterThreshold: 1, useSynchronizationContext: false));
        var socket = new PlayoutSocket(pipe.Writer, AudioSocketKind.Slin8, Frame);
        socket.WriteSilence(0);
        socket.WriteSilence(0);
        socket.Flush();

        var pending = Assert.NotNull(socket.TakePendingFlush());

        Assert.Null(socket.TakePendingFlush());
        Assert.Equal(FlushState.Ready, socket.PollPendingFlush());
        await pipe.Reader.CompleteAsync();
        Assert.True((await pending).IsCompleted);
    }
}
