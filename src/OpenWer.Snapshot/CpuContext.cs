using OpenWer.Format.Contexts;
using OpenWer.Format.Streams;

namespace OpenWer.Snapshot;

/// <summary>
/// A thread's registers in the Windows CONTEXT of its architecture: one kind per architecture, chosen once by the
/// snapshot's source, so nothing downstream asks which of several nullable contexts is set.
/// </summary>
public abstract record CpuContext
{
    private protected CpuContext() { }

    public abstract ProcessorArchitecture Architecture { get; }
    public abstract ulong StackPointer { get; }
    public abstract ulong InstructionPointer { get; }

    /// <summary>The bytes this context takes in a dump; only AMD64 has an optional part (the AVX XSAVE state).</summary>
    public abstract int EncodedSize(bool withAvx);
    public abstract void Write(Span<byte> destination, bool withAvx);
}

/// <summary>An x86_64 thread.</summary>
public sealed record Amd64Context(ContextAmd64 Registers) : CpuContext
{
    public override ProcessorArchitecture Architecture => ProcessorArchitecture.Amd64;
    public override ulong StackPointer => Registers.Rsp;
    public override ulong InstructionPointer => Registers.Rip;
    public override int EncodedSize(bool withAvx) => Registers.EncodedSizeFor(withAvx);
    public override void Write(Span<byte> destination, bool withAvx) => Registers.Write(destination, withAvx);
}

/// <summary>An arm64 (AArch64) thread.</summary>
public sealed record Arm64Context(ContextArm64 Registers) : CpuContext
{
    public override ProcessorArchitecture Architecture => ProcessorArchitecture.Arm64;
    public override ulong StackPointer => Registers.Sp;
    public override ulong InstructionPointer => Registers.Pc;
    public override int EncodedSize(bool withAvx) => ContextArm64.Size;
    public override void Write(Span<byte> destination, bool withAvx) => Registers.Write(destination);
}

/// <summary>A thread of a 32-bit x86 (i386) process, also when it runs on an x86_64 kernel.</summary>
public sealed record X86Context(ContextX86 Registers) : CpuContext
{
    public override ProcessorArchitecture Architecture => ProcessorArchitecture.Intel;
    public override ulong StackPointer => Registers.Esp;
    public override ulong InstructionPointer => Registers.Eip;
    public override int EncodedSize(bool withAvx) => ContextX86.Size;
    public override void Write(Span<byte> destination, bool withAvx) => Registers.Write(destination);
}
