using OpenWer.Dumps;
using OpenWer.Dumps.Refilter;
using OpenWer.Reporting.Api;
using OpenWer.Reporting.Upload;

namespace OpenWer.Reporting.Store;

/// <summary>Sends the queued reports (`wer reports send`): each one sent moves to the archive; one that fails stays queued.</summary>
public sealed class QueuedReportSender(ReportingOptions options, HttpClient http)
{
    public sealed record Sent(string Id, UploadOutcome Outcome);

    public async Task<List<Sent>> SendAllAsync(CancellationToken cancel = default)
    {
        if (options.Server is null)
            throw new InvalidOperationException("no collection server is configured (--server URL or OPENWER_SERVER)");
        var store = new ReportStore(options.StoreFolder, options.MaxQueued, options.MaxArchived);
        var uploader = new ReportUploader(http, options.Server, options, (heap, mini) => MinidumpRefilter.Derive(heap, mini, DumpTypeFlags.Mini));
        var results = new List<Sent>();
        foreach (var (folder, manifest) in store.List(store.Queue).ToList())
        {
            var outcome = await uploader.UploadAsync(folder, manifest, cancel);
            manifest.UploadAttempts++;
            manifest.LastError = outcome.Error;
            ReportStore.Save(folder, manifest);
            if (outcome.Status is UploadStatus.Uploaded or UploadStatus.Rejected)
                store.MoveTo(folder, store.Archive);
            results.Add(new Sent(manifest.Id, outcome));
        }
        return results;
    }
}
