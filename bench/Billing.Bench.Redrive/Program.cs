using System.Globalization;
using Billing.Bench.Redrive;

// dotnet run --project bench/Billing.Bench.Redrive -c Release -- [messages=50000] [throttle msg/s=1000]
// Broker from RabbitMq__Url / RabbitMq__ManagementUrl (defaults: the local servers from deploy/local/servers.sh).
var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
double? throttle = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
var amqp = new Uri(Environment.GetEnvironmentVariable("RabbitMq__Url") is { Length: > 0 } u ? u : "amqp://guest:guest@127.0.0.1:5673/");
var management = new Uri(Environment.GetEnvironmentVariable("RabbitMq__ManagementUrl") is { Length: > 0 } m ? m : "http://127.0.0.1:15673/");

Console.WriteLine($"redrive benchmark: {messages} messages, throttled sample at {throttle} msg/s, broker {amqp.Host}:{amqp.Port}");
var result = await RedriveBenchmark.RunAsync(amqp, management, messages, throttle, Console.Out);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"result: unthrottled {result.UnthrottledRate:F0} msg/s (target >= 3000: {(result.UnthrottledRate >= 3000 ? "met" : "MISSED")}); " +
    $"throttled {result.ThrottledRate:F1} msg/s for {result.RequestedRate:F0} requested " +
    $"(target within 10%: {(result.ThrottledRate is { } t && result.RequestedRate is { } r && Math.Abs(t / r - 1) <= 0.10 ? "met" : "MISSED")})"));
return 0;
