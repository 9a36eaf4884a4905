namespace Billing.AdminApi.Endpoints;

/// <summary>
/// Offset paging of a list endpoint: <c>?limit=&amp;offset=</c> read with their problems named by field, and the page's
/// <c>count</c>, <c>total</c>, <c>offset</c> and <c>next_offset</c> (null on the last page) for the answer.
/// </summary>
internal static class Paging
{
    public static (int Take, int Skip) Parse(string? limit, string? offset, int defaultLimit, int maxLimit, Dictionary<string, string[]> problems)
    {
        var take = defaultLimit;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, out take) || take < 1 || take > maxLimit))
            problems["limit"] = [$"limit must be a whole number from 1 to {maxLimit}, got '{limit}'"];
        var skip = 0;
        if (!string.IsNullOrEmpty(offset) && (!int.TryParse(offset, out skip) || skip < 0))
            problems["offset"] = [$"offset must be a whole number from 0, got '{offset}'"];
        return (take, skip);
    }

    public static int? Next(int skip, int count, int total) => skip + count < total ? skip + count : null;
}
