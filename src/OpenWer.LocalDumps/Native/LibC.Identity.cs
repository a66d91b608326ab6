using System.Runtime.InteropServices;

namespace OpenWer.LocalDumps.Native;

/// <summary>The LocalDumps layer's libc calls on users and rights: who we are, whom we act for, our capabilities.</summary>
internal static partial class LibC
{
    /// <summary>struct passwd, as getpwuid_r fills it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Passwd
    {
        public nint Name, Password;
        public uint Uid, Gid;
        public nint Gecos, Dir, Shell;
    }

    [LibraryImport("libc", EntryPoint = "getuid")]
    public static partial uint GetUid();

    [LibraryImport("libc", EntryPoint = "getgid")]
    public static partial uint GetGid();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEUid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    public static partial uint GetEGid();

    /// <summary>Returns an error number (not errno); <paramref name="result"/> is 0 when there is no such user.</summary>
    [LibraryImport("libc", EntryPoint = "getpwuid_r")]
    public static partial int GetPwUidR(uint uid, out Passwd pwd, byte[] buffer, nuint size, out nint result);

    [LibraryImport("libc", EntryPoint = "getgrouplist", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetGroupList(string user, uint gid, [Out] uint[] groups, ref int count);

    [LibraryImport("libc", EntryPoint = "getgroups", SetLastError = true)]
    public static partial int GetGroups(int size, [Out] uint[] list);

    // syscall is variadic; its arguments here are integers and a pointer, passed alike in the variadic and fixed ABIs.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    public static partial nint Syscall(nint number, nint count, uint[] list);

    /// <summary>Returns the previous fsuid; success is seen by calling it again.</summary>
    [LibraryImport("libc", EntryPoint = "setfsuid")]
    public static partial uint SetFsUid(uint uid);

    [LibraryImport("libc", EntryPoint = "setfsgid")]
    public static partial uint SetFsGid(uint gid);

    [LibraryImport("libc", EntryPoint = "capget", SetLastError = true)]
    public static partial int CapGet(Span<byte> header, Span<byte> data);

    [LibraryImport("libc", EntryPoint = "capset", SetLastError = true)]
    public static partial int CapSet(Span<byte> header, Span<byte> data);
}
