using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OpenWer.Reporting.Api;
using OpenWer.Reporting.Store;

namespace OpenWer.Reporting.Upload;

/// <summary>
/// The two-stage upload: stage one sends the bucket parameters and learns the bucket and what the server wants
/// (none, mini, heap); stage two sends only that. Asked for mini while holding a heap dump, it sends a mini dump
/// derived from the heap dump; asked for heap while holding only mini, it sends the mini dump. Network errors,
/// 5xx answers and answers that do not parse are retried with doubling delays, then reported as Retry: the
/// caller keeps the report queued, so none is lost.
/// </summary>
public sealed class ReportUploader(HttpClient http, Uri server, ReportingOptions options, Func<string, string, string> deriveMini)
{
    public async Task<UploadOutcome> UploadAsync(string folder, ReportManifest manifest, CancellationToken cancel = default)
    {
        var delay = options.FirstRetryDelay;
        UploadOutcome outcome = new(UploadStatus.Retry, Error: "not attempted");
        for (int attempt = 1; attempt <= Math.Max(1, options.UploadAttempts); attempt++)
        {
            outcome = await OnceAsync(folder, manifest, cancel);
            if (outcome.Status != UploadStatus.Retry)
                return outcome;
            if (attempt < options.UploadAttempts)
            {
                await Task.Delay(delay, cancel);
                delay *= 2;
            }
        }
        return outcome;
    }

    private async Task<UploadOutcome> OnceAsync(string folder, ReportManifest m, CancellationToken cancel)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(options.RequestTimeout);
            var token = timeout.Token;
            var dumps = m.Files.Where(f => f.Type is WerFileType.Minidump or WerFileType.Heapdump or WerFileType.Microdump).ToList();
            var request = new StageOneRequest
            {
                ReportId = m.Id,
                EventType = m.EventType,
                ReportType = m.ReportType.ToString(),
                ApplicationName = m.ApplicationName,
                ApplicationPath = m.ApplicationPath,
                MachineId = m.MachineId,
                Parameters = [.. m.Parameters.OrderBy(p => p.Index).Select(p => p.Value)],
                ParameterNames = [.. m.Parameters.OrderBy(p => p.Index).Select(p => p.Name)],
                Dumps = [.. dumps.Select(d => d.Type == WerFileType.Heapdump ? "heap" : "mini").Distinct()],
            };
            using var stage1 = await http.PostAsJsonAsync(new Uri(server, "api/v1/reports"), request, ReportJsonContext.Default.StageOneRequest, token);
            if (Refused(stage1) is { } refused)
                return refused;
            StageOneResponse? answer;
            try
            {
                answer = await stage1.Content.ReadFromJsonAsync(ReportJsonContext.Default.StageOneResponse, token);
            }
            catch (JsonException e)
            {
                return new UploadOutcome(UploadStatus.Retry, Error: $"stage one answer is not the protocol's JSON: {e.Message}");
            }
            if (answer is null || string.IsNullOrWhiteSpace(answer.BucketId) || answer.Want is not ("none" or "mini" or "heap"))
                return new UploadOutcome(UploadStatus.Retry, Error: "stage one answer lacks a bucket id or a known 'want'");
            m.BucketId = answer.BucketId;

            string? sent = null;
            var heap = dumps.FirstOrDefault(d => d.Type == WerFileType.Heapdump);
            var mini = dumps.FirstOrDefault(d => d.Type is WerFileType.Minidump or WerFileType.Microdump);
            string? path = answer.Want switch
            {
                "heap" => heap is not null ? Path.Combine(folder, heap.Name) : mini is not null ? Path.Combine(folder, mini.Name) : null,
                "mini" => mini is not null ? Path.Combine(folder, mini.Name) : heap is not null ? deriveMini(Path.Combine(folder, heap.Name), Path.Combine(folder, "derived-mini.dmp")) : null,
                _ => null,
            };
            if (path is not null)
            {
                await using var body = File.OpenRead(path);
                using var content = new StreamContent(body);
                content.Headers.ContentType = new("application/octet-stream");
                string kind = path == (heap is null ? null : Path.Combine(folder, heap.Name)) ? "heap" : "mini";
                using var put = await http.PutAsync(new Uri(server, $"api/v1/reports/{m.Id}/dump?type={kind}"), content, token);
                if (Refused(put) is { } r)
                    return r;
                sent = kind;
            }
            if (answer.WantFiles)
            {
                foreach (var f in m.Files.Where(f => f.Type is not (WerFileType.Minidump or WerFileType.Heapdump or WerFileType.Microdump)))
                {
                    await using var body = File.OpenRead(Path.Combine(folder, f.Name));
                    using var content = new StreamContent(body);
                    using var put = await http.PutAsync(new Uri(server, $"api/v1/reports/{m.Id}/files/{Uri.EscapeDataString(f.Name)}"), content, token);
                    if (Refused(put) is { } r)
                        return r;
                }
            }
            using var done = await http.PostAsync(new Uri(server, $"api/v1/reports/{m.Id}/complete"), null, token);
            return Refused(done) ?? new UploadOutcome(UploadStatus.Uploaded, answer.BucketId, SentDump: sent);
        }
        catch (HttpRequestException e)
        {
            return new UploadOutcome(UploadStatus.Retry, Error: $"server unreachable: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return new UploadOutcome(UploadStatus.Retry, Error: $"server did not answer within {options.RequestTimeout.TotalSeconds:F0} s");
        }
    }

    private static UploadOutcome? Refused(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.TooManyRequests => new UploadOutcome(UploadStatus.Throttled, Error: "the server throttles this bucket"),
        >= HttpStatusCode.InternalServerError => new UploadOutcome(UploadStatus.Retry, Error: $"server error {(int)response.StatusCode}"),
        >= HttpStatusCode.BadRequest => new UploadOutcome(UploadStatus.Rejected, Error: $"server refused the report: {(int)response.StatusCode}"),
        _ => null,
    };
}
