namespace OpenWer.Reporting.Api;

/// <summary>WER_REPORT_INFORMATION: what the report is about.</summary>
public sealed record WerReportInformation(string ApplicationName, string? ApplicationPath = null, string? Description = null, string? FriendlyEventName = null)
{
    /// <summary>Limits in characters, from werapi.h.</summary>
    public const int MaxApplicationName = 128, MaxDescription = 512, MaxFriendlyEventName = 128, MaxPath = 260;

    internal void Validate()
    {
        Check(ApplicationName, MaxApplicationName, nameof(ApplicationName));
        Check(Description, MaxDescription, nameof(Description));
        Check(FriendlyEventName, MaxFriendlyEventName, nameof(FriendlyEventName));
        Check(ApplicationPath, MaxPath, nameof(ApplicationPath));
    }

    private static void Check(string? value, int max, string name)
    {
        if (value is not null && value.Length >= max)
            throw new WerLengthExceededException(name, $"{name} is {value.Length} characters; WER allows {max - 1}");
    }
}
