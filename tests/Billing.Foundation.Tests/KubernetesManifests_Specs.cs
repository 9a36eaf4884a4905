using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Billing.Errors.Infrastructure;
using Billing.Testing;
using Billing.Vocabulary;
using YamlDotNet.RepresentationModel;

namespace Billing.Foundation.Tests;

/// <summary>
/// deploy/k8s as kubectl renders it, overlay by overlay: every container has its three probes, CPU and memory
/// requests and limits, and runs as a non-root user that cannot gain privileges; every consumer queue is a KEDA
/// trigger of a deployment that exists; PDFs are mounted only where used; no secret value is written in a manifest.
/// Needs kubectl (with its built-in kustomize) and no cluster.
/// </summary>
public sealed partial class The_kubernetes_manifests
{
    private static List<string> OverlayNames() =>
        [.. Directory.GetDirectories(Path.Combine(RepoPaths.Root, "deploy", "k8s", "overlays")).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Overlays() => new(OverlayNames());

    [Fact]
    public void Does_have_a_local_and_a_production_overlay()
    {
        Assert.Equal(["local", "production"], OverlayNames());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Does_render_and_pass_every_check(string overlay)
    {
        var objects = await RenderAsync(overlay);
        Assert.Empty(Problems(objects, ConsumerQueues()));
        // What each overlay is for.
        var deployments = Of(objects, "Deployment").ToDictionary(d => Name(d));
        Assert.Equal(["accounting-sync", "admin-api", "invoice-generator", "mailer", "pdf-renderer", "redrive"], deployments.Keys.Order(StringComparer.Ordinal));
        var withPdfs = deployments.Where(d => Volumes(d.Value).Any(v => v.ContainsKey("persistentVolumeClaim"))).Select(d => d.Key).Order(StringComparer.Ordinal).ToList();
        if (overlay == "local") Assert.Equal(["admin-api", "mailer", "pdf-renderer"], withPdfs);
        else Assert.Empty(withPdfs);
    }

    [Fact]
    public async Task Does_name_what_is_wrong_in_manifests_that_break_each_rule()
    {
        var queues = ConsumerQueues();
        Assert.Empty(Problems(await RenderAsync("production"), queues));

        await Breaks(o => Container(o, "mailer").Remove("startupProbe"), "mailer", "startupProbe");
        await Breaks(o => Container(o, "pdf-renderer").Remove("livenessProbe"), "pdf-renderer", "livenessProbe");
        await Breaks(o => Map(Map(Container(o, "redrive"), "resources"), "limits").Remove("cpu"), "redrive", "limits.cpu");
        await Breaks(o => Map(Container(o, "admin-api"), "securityContext")["allowPrivilegeEscalation"] = "true", "admin-api", "allowPrivilegeEscalation");
        await Breaks(o => Map(PodSpec(Deployment(o, "accounting-sync")), "securityContext")["runAsUser"] = "0", "accounting-sync", "root");
        await Breaks(o => Container(o, "invoice-generator")["image"] = "ghcr.io/example/billing-invoice-generator:latest", "invoice-generator", "tag");
        await Breaks(o => o.Remove(Of(o, "ScaledObject").Single(s => Name(s) == "redrive")), "error-log-faults", "no KEDA trigger");
        await Breaks(o => o.Remove(Of(o, "PodDisruptionBudget").Single(s => Name(s) == "mailer")), "mailer", "PodDisruptionBudget");
        await Breaks(o => o.Add(new Dictionary<string, object?> { ["kind"] = "Secret", ["metadata"] = new Dictionary<string, object?> { ["name"] = "x" } }), "Secret", "secret");
        await Breaks(o => Container(o, "mailer")["env"] = new List<object?> { new Dictionary<string, object?> { ["name"] = "Smtp__Password", ["value"] = "hunter2" } }, "Smtp__Password", "secret");
        await Breaks(o => Container(o, "mailer")["env"] = new List<object?> { new Dictionary<string, object?> { ["name"] = "RabbitMq__Url", ["value"] = "amqp://billing:pw@rabbitmq:5672/" } }, "mailer", "credentials");

        async Task Breaks(Action<List<Dictionary<string, object?>>> change, string names, string says)
        {
            var objects = await RenderAsync("production");
            change(objects);
            var problems = Problems(objects, queues);
            Assert.Contains(problems, p => p.Contains(names, StringComparison.Ordinal) && p.Contains(says, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Every queue a service consumes from: the consumer endpoints and the error log's three.</summary>
    internal static List<string> ConsumerQueues() =>
    [
        .. typeof(ConsumerEndpoints).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!),
        FaultConsumerDefinition<object>.Queue,
        ((MassTransit.IConsumerDefinition)new ErrorReportedConsumerDefinition()).GetEndpointName(MassTransit.KebabCaseEndpointNameFormatter.Instance),
        ((MassTransit.IConsumerDefinition)new RunStartedReportConsumerDefinition()).GetEndpointName(MassTransit.KebabCaseEndpointNameFormatter.Instance),
    ];

    /// <summary>Every rule the rendered objects break, in words; empty when they keep them all.</summary>
    internal static List<string> Problems(List<Dictionary<string, object?>> objects, IReadOnlyCollection<string> queues)
    {
        var problems = new List<string>();
        var deployments = Of(objects, "Deployment").ToList();
        if (deployments.Count == 0) problems.Add("no Deployment rendered");
        foreach (var deployment in deployments)
        {
            var name = Name(deployment);
            var pod = PodSpec(deployment);
            var podSecurity = Map(pod, "securityContext");
            if (Get(pod, "automountServiceAccountToken") != "false") problems.Add($"{name}: the service account token is mounted");
            foreach (var container in Containers(deployment))
            {
                var where = $"{name}/{Get(container, "name")}";
                foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
                    if (!container.ContainsKey(probe)) problems.Add($"{where}: no {probe}");
                var resources = Map(container, "resources");
                foreach (var (kind, resource) in new[] { ("requests", "cpu"), ("requests", "memory"), ("limits", "cpu"), ("limits", "memory") })
                    if (Get(Map(resources, kind), resource) is null) problems.Add($"{where}: no {kind}.{resource}");
                var security = Map(container, "securityContext");
                var runAsNonRoot = Get(security, "runAsNonRoot") ?? Get(podSecurity, "runAsNonRoot");
                var runAsUser = Get(security, "runAsUser") ?? Get(podSecurity, "runAsUser");
                if (runAsNonRoot != "true" || runAsUser is null or "0") problems.Add($"{where}: may run as root (runAsNonRoot {runAsNonRoot ?? "unset"}, runAsUser {runAsUser ?? "unset"})");
                if (Get(security, "allowPrivilegeEscalation") != "false") problems.Add($"{where}: allowPrivilegeEscalation is not false");
                if (Get(security, "readOnlyRootFilesystem") != "true") problems.Add($"{where}: the root file system is writable");
                if (!List(Map(security, "capabilities"), "drop").Contains("ALL")) problems.Add($"{where}: capabilities are not all dropped");
                if ((Get(Map(security, "seccompProfile"), "type") ?? Get(Map(podSecurity, "seccompProfile"), "type")) != "RuntimeDefault") problems.Add($"{where}: no RuntimeDefault seccomp profile");
                var image = Get(container, "image") ?? "";
                if (!ImageTag().IsMatch(image)) problems.Add($"{where}: image '{image}' has no tag or a moving one (latest)");
            }
            if (!Of(objects, "PodDisruptionBudget").Any(p => Selects(Map(Map(p, "spec"), "selector"), deployment)))
                problems.Add($"{name}: no PodDisruptionBudget selects it");
        }

        // The render concurrency follows the renderer's CPU limit.
        if (deployments.FirstOrDefault(d => Name(d) == "pdf-renderer") is { } renderer
            && !Containers(renderer).SelectMany(c => Maps(c, "env")).Any(e => Get(e, "name") == "PdfRenderer__ConcurrentRenders"
                && Get(Map(Map(e, "valueFrom"), "resourceFieldRef"), "resource") == "limits.cpu"))
            problems.Add("pdf-renderer: PdfRenderer__ConcurrentRenders does not come from limits.cpu");

        // Every consumer queue scales its service.
        var triggers = Of(objects, "ScaledObject").SelectMany(s => Maps(Map(s, "spec"), "triggers")
            .Select(t => (Queue: Get(Map(t, "metadata"), "queueName"), Target: Get(Map(Map(s, "spec"), "scaleTargetRef"), "name"),
                          Max: Get(Map(s, "spec"), "maxReplicaCount")))).ToList();
        foreach (var queue in queues)
        {
            var trigger = triggers.FirstOrDefault(t => t.Queue == queue);
            if (trigger.Queue is null) problems.Add($"queue {queue}: no KEDA trigger scales its consumer");
            else if (!deployments.Any(d => Name(d) == trigger.Target)) problems.Add($"queue {queue}: its ScaledObject targets '{trigger.Target}', which is not a Deployment here");
            else if (trigger.Max is null) problems.Add($"queue {queue}: its ScaledObject has no maxReplicaCount");
        }

        // Nothing secret is written in a manifest: no Secret object, no inline value of a secret setting, no
        // credentials in a URL, no Stripe key.
        foreach (var secret in Of(objects, "Secret")) problems.Add($"Secret {Name(secret)} is rendered: secrets are created apart from the manifests");
        foreach (var deployment in deployments)
            foreach (var env in Containers(deployment).SelectMany(c => Maps(c, "env")))
                if (Get(env, "value") is { Length: > 0 } && SecretName().IsMatch(Get(env, "name") ?? ""))
                    problems.Add($"{Name(deployment)}: {Get(env, "name")} has its secret value in the manifest");
        foreach (var (path, text) in objects.SelectMany(o => Strings(o, $"{Get(o, "kind")} {Name(o)}:")))
            if (CredentialsInUrl().IsMatch(text) || StripeKey().IsMatch(text))
                problems.Add($"{path}: credentials or a key in '{text}'");
        return problems;
    }

    private static async Task<List<Dictionary<string, object?>>> RenderAsync(string overlay)
    {
        var kubectl = new[] { Environment.GetEnvironmentVariable("KUBECTL"), "/usr/bin/kubectl", "/usr/local/bin/kubectl" }
                          .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "kubectl")))
                          .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
                      ?? throw new InvalidOperationException(
                          "kubectl is not installed: this test renders deploy/k8s/overlays/* with `kubectl kustomize` (kubectl 1.14 or later, no cluster needed). Install it or set KUBECTL to its path.");
        var info = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("kustomize");
        info.ArgumentList.Add(Path.Combine(RepoPaths.Root, "deploy", "k8s", "overlays", overlay));
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"kubectl kustomize deploy/k8s/overlays/{overlay} failed:\n{await stderr}");
        var stream = new YamlStream();
        stream.Load(new StringReader(await stdout));
        return [.. stream.Documents.Select(d => (Dictionary<string, object?>)Convert(d.RootNode)!)];
    }

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => Convert(c.Value)),
        YamlSequenceNode s => s.Children.Select(Convert).ToList(),
        YamlScalarNode v => v.Value,
        _ => null,
    };

    private static IEnumerable<Dictionary<string, object?>> Of(List<Dictionary<string, object?>> objects, string kind) =>
        objects.Where(o => Get(o, "kind") == kind);

    private static string Name(Dictionary<string, object?> o) => Get(Map(o, "metadata"), "name") ?? "";

    private static string? Get(Dictionary<string, object?> map, string key) => map.TryGetValue(key, out var v) ? v as string : null;

    private static Dictionary<string, object?> Map(Dictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var v) && v is Dictionary<string, object?> m ? m : [];

    private static IEnumerable<Dictionary<string, object?>> Maps(Dictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var v) && v is List<object?> l ? l.OfType<Dictionary<string, object?>>() : [];

    private static List<string> List(Dictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var v) && v is List<object?> l ? [.. l.OfType<string>()] : [];

    private static Dictionary<string, object?> PodSpec(Dictionary<string, object?> deployment) => Map(Map(Map(deployment, "spec"), "template"), "spec");

    private static IEnumerable<Dictionary<string, object?>> Containers(Dictionary<string, object?> deployment) =>
        Maps(PodSpec(deployment), "initContainers").Concat(Maps(PodSpec(deployment), "containers"));

    private static IEnumerable<Dictionary<string, object?>> Volumes(Dictionary<string, object?> deployment) => Maps(PodSpec(deployment), "volumes");

    private static Dictionary<string, object?> Deployment(List<Dictionary<string, object?>> objects, string name) =>
        Of(objects, "Deployment").Single(d => Name(d) == name);

    private static Dictionary<string, object?> Container(List<Dictionary<string, object?>> objects, string deployment) =>
        Containers(Deployment(objects, deployment)).First();

    private static bool Selects(Dictionary<string, object?> selector, Dictionary<string, object?> deployment)
    {
        var labels = Map(Map(Map(Map(deployment, "spec"), "template"), "metadata"), "labels");
        var match = Map(selector, "matchLabels");
        return match.Count > 0 && match.All(m => Get(labels, m.Key) == m.Value as string);
    }

    private static IEnumerable<(string Path, string Text)> Strings(object? node, string path) => node switch
    {
        Dictionary<string, object?> m => m.SelectMany(c => Strings(c.Value, $"{path}/{c.Key}")),
        List<object?> l => l.SelectMany((c, i) => Strings(c, $"{path}[{i}]")),
        string s => [(path, s)],
        _ => [],
    };

    // name:1.2.3, name:dev, a digest; not a bare name, not :latest.
    [GeneratedRegex(@"^[^@]+(:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[0-9a-f]{64})$")]
    private static partial Regex ImageTag();

    [GeneratedRegex("(?i)(password|secret|apikey|api_key|token|connectionstring|webhooksecrets|accesskey)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")]
    private static partial Regex CredentialsInUrl();

    [GeneratedRegex(@"\b(sk|rk)_(live|test)_[A-Za-z0-9]+|\bwhsec_[A-Za-z0-9]+")]
    private static partial Regex StripeKey();
}
