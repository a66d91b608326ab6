using OpenWer.Format.Contexts;
using OpenWer.Format.Streams;

namespace OpenWer.Format.Tests;

/// <summary>The documented sizes (minidump-format.md) and field offsets that readers depend on.</summary>
public sealed class StructSizeTests
{
    [Fact]
    public void SizesAreTheDocumentedOnes()
    {
        Assert.Equal(32, MinidumpHeader.Size);
        Assert.Equal(12, DirectoryEntry.Size);
        Assert.Equal(16, MemoryDescriptor.Size);
        Assert.Equal(48, MinidumpThread.Size);
        Assert.Equal(108, MinidumpModule.Size);
        Assert.Equal(168, ExceptionStream.Size);
        Assert.Equal(56, SystemInfo.Size);
        Assert.Equal(48, MemoryInfo.Size);
        Assert.Equal(64, ThreadInfo.Size);
        Assert.Equal(12, ThreadNameEntry.Size);
        Assert.Equal(40, LinuxDsoDebug.Size);
        Assert.Equal(24, LinkMapEntry.Size);
        Assert.Equal(1232, ContextAmd64.Size);
        Assert.Equal(912, ContextArm64.Size);
        Assert.Equal(716, ContextX86.Size);
    }

    [Fact]
    public void X86ContextPutsRegistersAtTheirOffsets()
    {
        // Offsets of the x86 CONTEXT in the Windows SDK's winnt.h (FloatSave 0x1C, SegGs 0x8C, Eip 0xB8, ExtendedRegisters 0xCC).
        var c = new ContextX86 { Edi = 0x1111, Eax = 0x2222, Ebp = 0x3333, Eip = 0x4444, Esp = 0x5555, SegSs = 0x2b, SegGs = 0x63, Dr7 = 0x400 };
        c.FloatSave[0] = 0x7f;
        c.ExtendedRegisters[24] = 0x80;
        var bytes = new byte[ContextX86.Size];
        c.Write(bytes);
        Assert.Equal(0x0001003Fu, BitConverter.ToUInt32(bytes, 0));
        Assert.Equal(0x400u, BitConverter.ToUInt32(bytes, 0x18));
        Assert.Equal(0x7f, bytes[0x1C]);
        Assert.Equal(0x63u, BitConverter.ToUInt32(bytes, 0x8C));
        Assert.Equal(0x1111u, BitConverter.ToUInt32(bytes, 0x9C));
        Assert.Equal(0x2222u, BitConverter.ToUInt32(bytes, 0xB0));
        Assert.Equal(0x3333u, BitConverter.ToUInt32(bytes, 0xB4));
        Assert.Equal(0x4444u, BitConverter.ToUInt32(bytes, 0xB8));
        Assert.Equal(0x5555u, BitConverter.ToUInt32(bytes, 0xC4));
        Assert.Equal(0x2bu, BitConverter.ToUInt32(bytes, 0xC8));
        Assert.Equal(0x80, bytes[0xCC + 24]);
        var back = ContextX86.Read(bytes);
        Assert.Equal((c.Edi, c.Eax, c.Ebp, c.Eip, c.Esp, c.SegSs, c.SegGs, c.Dr7), (back.Edi, back.Eax, back.Ebp, back.Eip, back.Esp, back.SegSs, back.SegGs, back.Dr7));
        Assert.Equal(c.FloatSave, back.FloatSave);
        Assert.Equal(c.ExtendedRegisters, back.ExtendedRegisters);
    }

    [Fact]
    public void Amd64ContextPutsRegistersAtTheirOffsets()
    {
        var c = new ContextAmd64 { Rax = 0x1111, Rsp = 0x2222, R8 = 0x3333, R15 = 0x4444, Rip = 0x5555, MxCsr = 0x1f80, EFlags = 0x246, Cs = 0x33 };
        c.FltSave[0] = 0x7f;
        var bytes = new byte[ContextAmd64.Size];
        c.Write(bytes);
        Assert.Equal(0x0010001Fu, BitConverter.ToUInt32(bytes, 0x30));
        Assert.Equal(0x1111UL, BitConverter.ToUInt64(bytes, 0x78));
        Assert.Equal(0x2222UL, BitConverter.ToUInt64(bytes, 0x98));
        Assert.Equal(0x3333UL, BitConverter.ToUInt64(bytes, 0xB8));
        Assert.Equal(0x4444UL, BitConverter.ToUInt64(bytes, 0xF0));
        Assert.Equal(0x5555UL, BitConverter.ToUInt64(bytes, 0xF8));
        Assert.Equal(0x1f80u, BitConverter.ToUInt32(bytes, 0x34));
        Assert.Equal((ushort)0x33, BitConverter.ToUInt16(bytes, 0x38));
        Assert.Equal(0x7f, bytes[0x100]);
        Assert.Equal(0u, BitConverter.ToUInt32(bytes, 0x30) & 0x80000000u); // never LLDB's private bit 31
        var back = ContextAmd64.Read(bytes);
        Assert.Equal((c.Rax, c.Rsp, c.Rip, c.R15), (back.Rax, back.Rsp, back.Rip, back.R15));
    }

    [Fact]
    public void Amd64ContextWithXStateCarriesYmmHighAfterContextEx()
    {
        var c = new ContextAmd64 { Rip = 1, YmmHigh = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray() };
        var bytes = new byte[c.EncodedSize];
        c.Write(bytes);
        Assert.Equal(ContextAmd64.SizeWithXState, bytes.Length);
        Assert.Equal(0x40u, BitConverter.ToUInt32(bytes, 0x30) & 0x40u);
        Assert.Equal(-1232, BitConverter.ToInt32(bytes, 1232 + 8)); // Legacy chunk points back at the CONTEXT
        var back = ContextAmd64.Read(bytes);
        Assert.Equal(c.YmmHigh, back.YmmHigh);
    }

    [Fact]
    public void Arm64ContextOrdersFpcrBeforeFpsr()
    {
        var c = new ContextArm64 { Pc = 0xAAAA, Sp = 0xBBBB, Fpcr = 0x11, Fpsr = 0x22 };
        c.X[0] = 0x1234;
        var bytes = new byte[ContextArm64.Size];
        c.Write(bytes);
        Assert.Equal(0x00400007u, BitConverter.ToUInt32(bytes, 0));
        Assert.Equal(0x1234UL, BitConverter.ToUInt64(bytes, 0x08));
        Assert.Equal(0xBBBBUL, BitConverter.ToUInt64(bytes, 0x100));
        Assert.Equal(0xAAAAUL, BitConverter.ToUInt64(bytes, 0x108));
        Assert.Equal(0x11u, BitConverter.ToUInt32(bytes, 0x310));
        Assert.Equal(0x22u, BitConverter.ToUInt32(bytes, 0x314));
    }
}
