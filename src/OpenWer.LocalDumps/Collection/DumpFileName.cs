using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OpenWer.LocalDumps.Collection;

/// <summary>
/// The names a dump takes in its folder, as bytes: WER's &lt;exe&gt;.&lt;pid&gt;.dmp, then &lt;exe&gt;.&lt;pid&gt;.N.dmp when that is
/// taken. A file name has at most 255 bytes, so the executable's part is cut (at a UTF-8 character boundary) to fit;
/// a '/' or NUL in it becomes '_'. The temporary name the dump is written under is short and random, never derived
/// from the executable's name.
/// </summary>
public static class DumpFileName
{
    public const int MaxBytes = 255;

    public static byte[] Final(string executableName, int pid, int attempt)
    {
        string suffix = attempt == 0
            ? string.Create(CultureInfo.InvariantCulture, $".{pid}.dmp")
            : string.Create(CultureInfo.InvariantCulture, $".{pid}.{attempt}.dmp");
        var exe = Encoding.UTF8.GetBytes(executableName.Length == 0 ? "process" : executableName);
        for (int i = 0; i < exe.Length; i++)
            if (exe[i] is (byte)'/' or 0)
                exe[i] = (byte)'_';
        int room = MaxBytes - suffix.Length;
        int cut = Math.Min(exe.Length, room);
        while (cut > 0 && cut < exe.Length && (exe[cut] & 0xC0) == 0x80)
            cut--; // never split a multi-byte character
        return [.. exe.AsSpan(0, cut), .. Encoding.ASCII.GetBytes(suffix)];
    }

    /// <summary>.openwer-&lt;16 hex digits&gt;.tmp: 29 bytes whatever the executable is called.</summary>
    public static byte[] Temporary() => Encoding.ASCII.GetBytes($".openwer-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp");

    public static bool IsTemporary(ReadOnlySpan<byte> name) => name.StartsWith(".openwer-"u8) && name.EndsWith(".tmp"u8);

    public static bool IsDump(ReadOnlySpan<byte> name) => name.EndsWith(".dmp"u8);
}
