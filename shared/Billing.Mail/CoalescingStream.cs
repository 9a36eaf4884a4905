namespace Billing.Mail;

/// <summary>
/// Holds what is written until a flush and hands it to the socket in one write. MailKit writes a message in 4 KiB
/// pieces and flushes once at its end; with TCP_NODELAY each piece would be its own packet, and the server would
/// wake up for each. A read sends what is pending first (an answer is only due to what was sent), so a writer that
/// never flushes, such as a TLS handshake, cannot wait forever.
/// </summary>
internal sealed class CoalescingStream(Stream inner) : Stream
{
    private readonly MemoryStream _pending = new();

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override bool CanTimeout => inner.CanTimeout;
    public override int ReadTimeout { get => inner.ReadTimeout; set => inner.ReadTimeout = value; }
    public override int WriteTimeout { get => inner.WriteTimeout; set => inner.WriteTimeout = value; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        SendPending();
        return inner.Read(buffer, offset, count);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        await SendPendingAsync(ct);
        return await inner.ReadAsync(buffer, ct);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
    {
        _pending.Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        _pending.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
        SendPending();
        inner.Flush();
    }

    public override async Task FlushAsync(CancellationToken ct)
    {
        await SendPendingAsync(ct);
        await inner.FlushAsync(ct);
    }

    private void SendPending()
    {
        if (_pending.Length == 0) return;
        inner.Write(_pending.GetBuffer(), 0, (int)_pending.Length);
        _pending.SetLength(0);
    }

    private async ValueTask SendPendingAsync(CancellationToken ct)
    {
        if (_pending.Length == 0) return;
        await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), ct);
        _pending.SetLength(0);
    }

    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
