using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Billing.AdminApi.OperatorConsole;

/// <summary>
/// The data-protection key ring in table <c>data_protection_keys</c> (migration 0020) instead of the process's own
/// folder or memory: every admin-api replica reads the console's session cookies and antiforgery tokens, whichever
/// replica issued them, and a restart keeps the sessions. The framework reads the ring at start and when it meets a
/// key it does not know, and adds a key before the newest one expires (90 days).
/// </summary>
public sealed class ConsoleKeyRing(NpgsqlDataSource db) : IXmlRepository
{
    public const string ApplicationName = "billing-admin-api";

    public static void Register(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource>((o, db) => o.XmlRepository = new ConsoleKeyRing(db));
    }

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var conn = db.OpenConnection();
        return conn.Query<string>("select xml from data_protection_keys order by id").Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var conn = db.OpenConnection();
        conn.Execute("insert into data_protection_keys (friendly_name, xml) values (@friendlyName, @xml) on conflict (friendly_name) do nothing",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
