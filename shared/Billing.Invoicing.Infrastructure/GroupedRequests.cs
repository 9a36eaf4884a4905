using System.Diagnostics;
using System.Threading.Channels;

namespace Billing.Invoicing.Infrastructure;

/// <summary>
/// Requests from concurrent callers handled together: a single loop takes whatever is waiting (up to a maximum)
/// and hands the group to one handler, which completes each request. While a group is handled, the next one
/// gathers, so the busier the callers the larger the groups.
/// </summary>
/// <remarks>
/// Tracing: work done once for a group belongs to no single caller. Each group is one span (<c>spanName</c>) in a trace
/// of its own, carrying the group size and linked to the span of every caller waiting on it; whatever the handler does
/// (its SQL) is under that span. The loop runs outside every caller's context, so nothing of it lands in a caller's trace.
/// </remarks>
internal sealed class GroupedRequests<TRequest, TResult> : IAsyncDisposable
{
    public sealed record Pending(TRequest Request, TaskCompletionSource<TResult> Done, ActivityContext Caller);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _max;
    private readonly Func<List<Pending>, Task> _handle;
    private readonly string _spanName;
    private readonly Task _loop;

    /// <param name="handle">completes every request of the group it is given (with a result or an exception).</param>
    /// <param name="spanName">the name of each group's span.</param>
    public GroupedRequests(int max, Func<List<Pending>, Task> handle, string spanName)
    {
        _max = max;
        _handle = handle;
        _spanName = spanName;
        // Not the context of whoever constructs this (the first caller, inside its message's span): the loop would
        // otherwise parent every later group's work to that one invoice's span.
        using (ExecutionContext.SuppressFlow()) _loop = Task.Run(LoopAsync);
    }

    public Task<TResult> Enqueue(TRequest request, CancellationToken ct)
    {
        var pending = new Pending(request, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously),
            Activity.Current?.Context ?? default);
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(GetType().Name);
        return pending.Done.Task.WaitAsync(ct);
    }

    private async Task LoopAsync()
    {
        Activity.Current = null;
        var group = new List<Pending>(_max);
        while (await _queue.Reader.WaitToReadAsync())
        {
            group.Clear();
            while (group.Count < _max && _queue.Reader.TryRead(out var p)) group.Add(p);
            using var span = GroupTracing.Source.HasListeners() ? StartSpan(group) : null;
            try
            {
                await _handle(group);
            }
            catch (Exception e)
            {
                span?.SetStatus(ActivityStatusCode.Error, e.Message);
                foreach (var p in group) p.Done.TrySetException(e);
            }
        }
    }

    private Activity? StartSpan(List<Pending> group)
    {
        var links = new List<ActivityLink>(group.Count);
        foreach (var p in group)
            if (p.Caller != default) links.Add(new ActivityLink(p.Caller));
        var span = GroupTracing.Source.StartActivity(_spanName, ActivityKind.Internal, parentContext: default, links: links);
        span?.SetTag(GroupTracing.GroupSize, group.Count);
        return span;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }
}

/// <summary>The activity source of work done once for a group of invoices.</summary>
public static class GroupTracing
{
    public const string SourceName = "Billing.Groups";
    public const string GroupSize = "billing.group_size";
    public static readonly ActivitySource Source = new(SourceName);
}
