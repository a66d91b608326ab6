using System.CommandLine;
using OpenWer.Reporting.Api;
using OpenWer.Reporting.Store;

namespace OpenWer.Cli;

/// <summary>`wer reports list|show|send|delete`: the queued and archived reports, for people.</summary>
public static class ReportsCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "The report store", DefaultValueFactory = _ => ReportingOptions.DefaultStoreFolder, Recursive = true };
        var command = new Command("reports", "Error reports waiting to be sent (queue) and sent or kept (archive)") { store };

        var list = new Command("list", "List queued and archived reports");
        list.SetAction(p => List(p.GetValue(store)!));

        var id = new Argument<string>("id") { Description = "A report id (or a unique prefix)" };
        var show = new Command("show", "Show one report") { id };
        show.SetAction(p => Show(p.GetValue(store)!, p.GetValue(id)!));

        var server = new Option<string?>("--server") { Description = "The collection server (default: $OPENWER_SERVER)" };
        var send = new Command("send", "Send the queued reports now") { server };
        send.SetAction(p => Send(p.GetValue(store)!, p.GetValue(server) ?? Environment.GetEnvironmentVariable("OPENWER_SERVER")));

        var deleteId = new Argument<string>("id") { Description = "A report id (or a unique prefix)" };
        var delete = new Command("delete", "Delete a report") { deleteId };
        delete.SetAction(p => Delete(p.GetValue(store)!, p.GetValue(deleteId)!));

        command.Subcommands.Add(list);
        command.Subcommands.Add(show);
        command.Subcommands.Add(send);
        command.Subcommands.Add(delete);
        return command;
    }

    private static ReportStore Store(string root) => new(root, int.MaxValue, int.MaxValue);

    private static IEnumerable<(string Place, string Folder, ReportManifest Manifest)> All(ReportStore s) =>
        s.List(s.Queue).Select(r => ("queued", r.Folder, r.Manifest)).Concat(s.List(s.Archive).Select(r => ("archived", r.Folder, r.Manifest)));

    private static int List(string root)
    {
        var reports = All(Store(root)).ToList();
        if (reports.Count == 0)
            Console.WriteLine($"no reports in {root}");
        foreach (var (place, _, m) in reports)
            Console.WriteLine($"{m.Id}  {place,-8}  {m.Created:yyyy-MM-dd HH:mm:ss}  {m.EventType}  {m.ApplicationName}  {string.Join(",", m.Files.Select(f => f.Type))}{(m.BucketId is { } b ? $"  bucket {b}" : "")}");
        return ExitCodes.Success;
    }

    private static (string Place, string Folder, ReportManifest Manifest)? Find(string root, string id)
    {
        var matches = All(Store(root)).Where(r => r.Manifest.Id.StartsWith(id, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 1)
            return matches[0];
        Console.Error.WriteLine(matches.Count == 0 ? $"wer reports: no report {id} in {root}" : $"wer reports: {id} names {matches.Count} reports; give more of the id");
        return null;
    }

    private static int Show(string root, string id)
    {
        if (Find(root, id) is not { } r)
            return ExitCodes.Usage;
        var m = r.Manifest;
        Console.WriteLine($"report {m.Id} ({r.Place}) in {r.Folder}");
        Console.WriteLine($"event {m.EventType}, {m.ReportType}, application {m.ApplicationName} {m.ApplicationPath}");
        if (m.Description is not null) Console.WriteLine($"description: {m.Description}");
        foreach (var p in m.Parameters.OrderBy(p => p.Index))
            Console.WriteLine($"P{p.Index} {p.Name} = {p.Value}");
        foreach (var f in m.Files)
            Console.WriteLine($"file {f.Name} ({f.Type}{(f.DumpFlags != 0 ? $", {f.DumpFlags}" : "")})");
        Console.WriteLine($"upload attempts {m.UploadAttempts}{(m.LastError is { } e ? $", last error: {e}" : "")}{(m.BucketId is { } b ? $", bucket {b}" : "")}");
        return ExitCodes.Success;
    }

    private static int Send(string root, string? server)
    {
        if (string.IsNullOrEmpty(server))
            return CommandFailure.Fail("reports send", ExitCodes.Usage, "give the collection server with --server URL (or OPENWER_SERVER)");
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return CommandFailure.Fail("reports send", ExitCodes.Usage, $"the collection server \"{server}\" is not an http or https URL (--server or OPENWER_SERVER)");
        using var http = new HttpClient();
        var sent = new QueuedReportSender(new ReportingOptions(root, uri), http).SendAllAsync().GetAwaiter().GetResult();
        foreach (var s in sent)
            Console.WriteLine($"{s.Id}: {s.Outcome.Status}{(s.Outcome.BucketId is { } b ? $" (bucket {b})" : "")}{(s.Outcome.Error is { } e ? $": {e}" : "")}");
        return sent.All(s => s.Outcome.Status == Reporting.Upload.UploadStatus.Uploaded) ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static int Delete(string root, string id)
    {
        if (Find(root, id) is not { } r)
            return ExitCodes.Usage;
        Directory.Delete(r.Folder, recursive: true);
        Console.WriteLine($"deleted {r.Manifest.Id}");
        return ExitCodes.Success;
    }
}
