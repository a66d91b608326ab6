using System.Buffers.Binary;
using System.Runtime.InteropServices;

using OpenWer.LocalDumps.Native;

namespace OpenWer.LocalDumps.MachineWide;

/// <summary>
/// The calling thread's capability sets (capget/capset act on one thread in Linux). Writing "as the user" with
/// only setfsuid keeps root's CAP_SYS_RESOURCE (the root reserve, quotas) and the like, so the effective set is
/// emptied while the user's dump is written; the permitted set stays, so the thread can take them back afterwards.
/// </summary>
public static partial class ThreadCapabilities
{
    private const uint Version3 = 0x20080522; // _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set

    /// <summary>(effective, permitted, inheritable), 64 bits each.</summary>
    public static (ulong Effective, ulong Permitted, ulong Inheritable) Get()
    {
        Span<byte> header = stackalloc byte[8];
        Span<byte> data = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Version3);
        if (LibC.CapGet(header, data) != 0)
            throw new UnauthorizedAccessException($"capget failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        // struct __user_cap_data_struct[2] { u32 effective, permitted, inheritable; }: word 0 then word 1.
        return (Word(data, 0), Word(data, 4), Word(data, 8));
    }

    private static ulong Word(ReadOnlySpan<byte> data, int offset) =>
        BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]) | (ulong)BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 12)..]) << 32;

    public static void Set(ulong effective, ulong permitted, ulong inheritable)
    {
        Span<byte> header = stackalloc byte[8];
        Span<byte> data = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Version3);
        ulong[] sets = [effective, permitted, inheritable];
        for (int i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data[(i * 4)..], (uint)sets[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(data[(12 + i * 4)..], (uint)(sets[i] >> 32));
        }
        if (LibC.CapSet(header, data) != 0)
            throw new UnauthorizedAccessException($"capset failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    /// <summary>Empties the effective set, keeping the permitted one.</summary>
    public static void DropEffective()
    {
        var (_, permitted, inheritable) = Get();
        Set(0, permitted, inheritable);
        if (Get().Effective != 0)
            throw new UnauthorizedAccessException("the effective capabilities could not be emptied");
    }

    /// <summary>Makes every permitted capability effective again.</summary>
    public static void RestoreEffective()
    {
        var (_, permitted, inheritable) = Get();
        Set(permitted, permitted, inheritable);
    }

}
