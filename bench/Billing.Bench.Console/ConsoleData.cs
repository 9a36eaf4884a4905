using System.Net;
using System.Text.RegularExpressions;
using Billing.Testing;
using Dapper;
using Npgsql;
using RabbitMQ.Client;

/// <summary>What the console benchmark plants and how it signs in.</summary>
internal static partial class ConsoleData
{
    public sealed record Ids(Guid Run, Guid Invoice, Guid Account, Guid MiddleInvoice, Guid LastPageInvoice, Guid MiddleOfRun, Guid MiddleAccount);

    /// <summary>One completed run per month, every account invoiced in each (numbers INV-B-nnnnnnn), with four lines each and
    /// a delivery; one invoice in fifty failed its email.</summary>
    public static async Task PlantAsync(NpgsqlDataSource db, int periods)
    {
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            insert into invoice_runs (id, period, status, accounts, requested_by, started_at, fanned_out_at, completed_at)
            select gen_random_uuid(), to_char(date '2025-01-01' + m * interval '1 month', 'YYYY-MM'), 'completed',
                   (select count(*) from accounts), 'bench', timestamptz '2025-02-01' + m * interval '1 month',
                   timestamptz '2025-02-01' + m * interval '1 month', timestamptz '2025-02-01' + m * interval '1 month' + interval '1 hour'
            from generate_series(0, @last) m
            """, new { last = periods - 1 }, commandTimeout: 600);
        await conn.ExecuteAsync("""
            insert into invoices (id, run_id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor, total_minor,
                                  due_at, issued_at, status, email_status, emailed_at, synced_at)
            select gen_random_uuid(), r.id, a.id, r.period, 'default', 'INV-B-' || lpad((row_number() over (order by r.period, a.id))::text, 7, '0'),
                   a.currency, 100000, 19, 19000, 119000, r.started_at::date + 30,
                   r.started_at + (row_number() over (partition by r.id order by a.id)) * interval '10 ms',
                   'open', case when random() < 0.02 then 'failed' else 'sent' end, r.started_at, r.started_at
            from invoice_runs r cross join accounts a
            """, commandTimeout: 600);
        await conn.ExecuteAsync("""
            insert into invoice_lines (invoice_id, line_no, kind, component, description, quantity, unit_price, amount_minor)
            select i.id, n, case n when 1 then 'base_fee' else 'usage' end, case n when 1 then null else 'm' || n end,
                   case n when 1 then 'base fee' else 'metric ' || n end, n * 10, 25, 25000
            from invoices i, generate_series(1, 4) n
            """, commandTimeout: 600);
        await conn.ExecuteAsync("""
            insert into email_deliveries (invoice_id, delivery_no, reason, state, attempt_count, recipient, accepted_at)
            select id, 1, 'initial', case email_status when 'failed' then 'failed' else 'accepted' end, 1, 'billing@example.test', emailed_at
            from invoices
            """, commandTimeout: 600);
        await conn.ExecuteAsync("analyze invoice_runs; analyze invoices; analyze invoice_lines; analyze email_deliveries;", commandTimeout: 600);
    }

    /// <summary>A dead-letter queue of <paramref name="messages"/> faults of GenerateInvoice, in three exception types.</summary>
    public static async Task<string> DeadLettersAsync(TestVhost vhost, int messages)
    {
        const string queue = "generate-invoice_error";
        var factory = new ConnectionFactory { Uri = new Uri(vhost.AmqpUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await AmqpQueues.DeclareAsync(connection, queue);
        string[] types = ["System.InvalidOperationException", "System.TimeoutException", "Npgsql.PostgresException"];
        await AmqpQueues.PublishAsync(connection, queue, Enumerable.Range(0, messages).Select(i =>
            DeadLetterFaults.Make(vhost.Name, "generate-invoice", Guid.NewGuid().ToString(), types[i % types.Length], Guid.NewGuid(),
                invoiceId: Guid.NewGuid())));
        return queue;
    }

    public static async Task<Ids> IdsAsync(NpgsqlDataSource db)
    {
        await using var conn = await db.OpenConnectionAsync();
        var count = await conn.ExecuteScalarAsync<int>("select count(*) from invoices");
        var run = await conn.ExecuteScalarAsync<Guid>("select id from invoice_runs order by period desc limit 1");
        var perRun = await conn.ExecuteScalarAsync<int>("select count(*) from invoices where run_id = @run", new { run });
        Guid Nth(string sql, int n) => conn.ExecuteScalar<Guid>(sql, new { n = Math.Max(0, n), run });
        const string byIssued = "select id from invoices order by issued_at desc, id desc offset @n limit 1";
        return new Ids(
            run,
            Nth(byIssued, count / 3),
            Nth("select account_id from invoices order by issued_at desc, id desc offset @n limit 1", 0),
            Nth(byIssued, count / 2),
            Nth(byIssued, count - 10),
            Nth("select id from invoices where run_id = @run order by issued_at desc, id desc offset @n limit 1", perRun / 2),
            Nth("select id from accounts order by name, id offset @n limit 1", count / 20));
    }

    /// <summary>A client holding a console session of <paramref name="key"/>, signed in through the form as a browser would.</summary>
    public static async Task<HttpClient> SignInAsync(string baseUrl, string key)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(baseUrl),
        };
        var form = await http.GetStringAsync("/console/sign-in");
        var token = TokenField().Match(form) is { Success: true } m ? m.Groups[1].Value
            : throw new InvalidOperationException("the sign-in page has no antiforgery token");
        using var signIn = await http.PostAsync("/console/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["key"] = key,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
        if (signIn.StatusCode != HttpStatusCode.SeeOther) throw new InvalidOperationException($"sign-in answered {(int)signIn.StatusCode}");
        return http;
    }

    [GeneratedRegex("__RequestVerificationToken\"[^>]*?value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
