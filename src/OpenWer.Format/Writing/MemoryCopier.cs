using System.Buffers;
using System.Collections.Concurrent;

namespace OpenWer.Format.Writing;

/// <summary>
/// Copies process memory into the file in a pipeline: one thread reads the next piece from the process while
/// this one writes the previous piece, so reading the target and writing the file overlap instead of adding
/// up. Memory in flight is bounded (a few 4 MiB buffers), whatever the size of the dump.
/// </summary>
internal static class MemoryCopier
{
    private const int PieceSize = 4 << 20;
    private const int PiecesInFlight = 3;

    private readonly record struct Piece(long Offset, byte[] Buffer, int Length);

    public static List<MemoryRange> Copy(Stream output, long position, IReadOnlyList<(long Offset, MemoryRange Range)> plan,
        IMemorySource memory, bool zeroFillUnreadable)
    {
        var unreadable = new List<MemoryRange>();
        using var pieces = new BlockingCollection<Piece>(PiecesInFlight);
        using var stop = new CancellationTokenSource();
        Exception? readError = null;
        var reader = new Thread(() =>
        {
            try
            {
                foreach (var (offset, range) in plan)
                    ReadRange(offset, range, memory, zeroFillUnreadable, unreadable, pieces, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                readError = e;
            }
            finally
            {
                pieces.CompleteAdding();
            }
        })
        { IsBackground = true, Name = "dump memory reader" };
        reader.Start();
        Span<byte> zeros = stackalloc byte[16];
        zeros.Clear();
        try
        {
            foreach (var piece in pieces.GetConsumingEnumerable())
            {
                try
                {
                    while (position < piece.Offset)
                    {
                        int n = (int)Math.Min(16, piece.Offset - position);
                        output.Write(zeros[..n]);
                        position += n;
                    }
                    output.Write(piece.Buffer, 0, piece.Length);
                    position += piece.Length;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(piece.Buffer);
                }
            }
        }
        catch
        {
            stop.Cancel();
            foreach (var piece in pieces.GetConsumingEnumerable())
                ArrayPool<byte>.Shared.Return(piece.Buffer);
            reader.Join();
            throw;
        }
        reader.Join();
        if (readError is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readError);
        return unreadable;
    }

    private static void ReadRange(long offset, MemoryRange range, IMemorySource memory, bool zeroFillUnreadable,
        List<MemoryRange> unreadable, BlockingCollection<Piece> pieces, CancellationToken stop)
    {
        ulong address = range.Start;
        while (address < range.End)
        {
            int want = (int)Math.Min(PieceSize, range.End - address);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(want);
            int filled = 0;
            try
            {
                while (filled < want)
                {
                    var rest = buffer.AsSpan(filled, want - filled);
                    int got = memory.Read(address + (ulong)filled, rest);
                    filled += got;
                    if (got == rest.Length)
                        break;
                    // Skip to the next page: the rest of this page is as unreadable as its start.
                    ulong failedAt = address + (ulong)filled;
                    ulong resume = Math.Max(failedAt + 1, (failedAt + 4096) & ~4095UL);
                    int bad = (int)Math.Min(resume - failedAt, (ulong)(want - filled));
                    var lost = new MemoryRange(failedAt, (ulong)bad);
                    if (!zeroFillUnreadable)
                        throw new UnreadableMemoryException(lost);
                    if (unreadable.Count > 0 && unreadable[^1].End == failedAt)
                        unreadable[^1] = new MemoryRange(unreadable[^1].Start, unreadable[^1].Size + (ulong)bad);
                    else
                        unreadable.Add(lost);
                    buffer.AsSpan(filled, bad).Clear();
                    filled += bad;
                }
                pieces.Add(new Piece(offset + (long)(address - range.Start), buffer, want), stop);
                buffer = null!;
            }
            finally
            {
                if (buffer is not null)
                    ArrayPool<byte>.Shared.Return(buffer);
            }
            address += (ulong)want;
        }
    }
}
