using System.Threading.Channels;

namespace Billing.Runs;

/// <summary>
/// Requests from concurrent callers handled together: a single loop takes whatever is waiting (up to a maximum)
/// and hands the group to one handler, which completes each request. While a group is handled, the next one
/// gathers, so the busier the callers the larger the groups.
/// </summary>
internal sealed class GroupedRequests<TRequest, TResult> : IAsyncDisposable
{
    public sealed record Pending(TRequest Request, TaskCompletionSource<TResult> Done);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _max;
    private readonly Func<List<Pending>, Task> _handle;
    private readonly Task _loop;

    /// <param name="handle">completes every request of the group it is given (with a result or an exception).</param>
    public GroupedRequests(int max, Func<List<Pending>, Task> handle)
    {
        _max = max;
        _handle = handle;
        _loop = Task.Run(LoopAsync);
    }

    public Task<TResult> Enqueue(TRequest request, CancellationToken ct)
    {
        var pending = new Pending(request, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(GetType().Name);
        return pending.Done.Task.WaitAsync(ct);
    }

    private async Task LoopAsync()
    {
        var group = new List<Pending>(_max);
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < _max && _queue.Reader.TryRead(out var p)) group.Add(p);
            try
            {
                await _handle(group);
            }
            catch (Exception e)
            {
                foreach (var p in group) p.Done.TrySetException(e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }
}
