namespace OpenWer.Analysis.Cfi;

/// <summary>
/// Evaluates the DWARF expressions CFI uses (DWARF 5, 2.5): PLT entries' CFA, the signal trampoline's saved
/// registers. A stack machine over 64-bit values, bounded in steps and depth; memory is read through the caller's
/// function (the dump's memory only).
/// </summary>
public static class DwarfExpression
{
    private const int MaxSteps = 1000, MaxDepth = 64;

    public delegate bool RegisterReader(int register, out ulong value);
    public delegate bool MemoryReader(ulong address, out ulong value);

    public static ulong? Evaluate(ReadOnlySpan<byte> expression, ulong? initial, RegisterReader registers, MemoryReader memory)
    {
        var stack = new Stack<ulong>();
        if (initial is { } i)
            stack.Push(i);
        var r = new DwarfReader(expression);
        int steps = 0;
        try
        {
            while (!r.AtEnd)
            {
                if (++steps > MaxSteps || stack.Count > MaxDepth)
                    return null;
                byte op = r.U8();
                switch (op)
                {
                    case 0x03: stack.Push(r.U64()); break;
                    case 0x06: if (!memory(stack.Pop(), out ulong m)) return null; stack.Push(m); break;
                    case 0x08: stack.Push(r.U8()); break;
                    case 0x09: stack.Push((ulong)(long)(sbyte)r.U8()); break;
                    case 0x0A: stack.Push(r.U16()); break;
                    case 0x0B: stack.Push((ulong)(long)(short)r.U16()); break;
                    case 0x0C: stack.Push(r.U32()); break;
                    case 0x0D: stack.Push((ulong)(long)(int)r.U32()); break;
                    case 0x0E or 0x0F: stack.Push(r.U64()); break;
                    case 0x10: stack.Push(r.Uleb()); break;
                    case 0x11: stack.Push((ulong)r.Sleb()); break;
                    case 0x12: stack.Push(stack.Peek()); break;
                    case 0x13: stack.Pop(); break;
                    case 0x14: stack.Push(stack.ElementAt(1)); break;
                    case 0x15: { int k = r.U8(); if (k >= stack.Count) return null; stack.Push(stack.ElementAt(k)); break; }
                    case 0x16: { ulong a = stack.Pop(), b = stack.Pop(); stack.Push(a); stack.Push(b); break; }
                    case 0x17: { ulong a = stack.Pop(), b = stack.Pop(), c = stack.Pop(); stack.Push(a); stack.Push(c); stack.Push(b); break; }
                    case 0x19: { long a = (long)stack.Pop(); stack.Push((ulong)Math.Abs(a)); break; }
                    case 0x1A: Binary(stack, (a, b) => a & b); break;
                    case 0x1B: { long b = (long)stack.Pop(), a = (long)stack.Pop(); if (b == 0) return null; stack.Push((ulong)(a / b)); break; }
                    case 0x1C: Binary(stack, (a, b) => a - b); break;
                    case 0x1D: { ulong b = stack.Pop(), a = stack.Pop(); if (b == 0) return null; stack.Push(a % b); break; }
                    case 0x1E: Binary(stack, (a, b) => a * b); break;
                    case 0x1F: stack.Push((ulong)-(long)stack.Pop()); break;
                    case 0x20: stack.Push(~stack.Pop()); break;
                    case 0x21: Binary(stack, (a, b) => a | b); break;
                    case 0x22: Binary(stack, (a, b) => a + b); break;
                    case 0x23: stack.Push(stack.Pop() + r.Uleb()); break;
                    case 0x24: Binary(stack, (a, b) => b >= 64 ? 0 : a << (int)b); break;
                    case 0x25: Binary(stack, (a, b) => b >= 64 ? 0 : a >> (int)b); break;
                    case 0x26: Binary(stack, (a, b) => (ulong)((long)a >> (int)Math.Min(b, 63))); break;
                    case 0x27: Binary(stack, (a, b) => a ^ b); break;
                    case 0x28: { short skip = (short)r.U16(); if (stack.Pop() != 0) Jump(ref r, skip); break; }
                    case >= 0x29 and <= 0x2E:
                        {
                            long b = (long)stack.Pop(), a = (long)stack.Pop();
                            bool t = op switch { 0x29 => a == b, 0x2A => a >= b, 0x2B => a > b, 0x2C => a <= b, 0x2D => a < b, _ => a != b };
                            stack.Push(t ? 1UL : 0UL);
                            break;
                        }
                    case 0x2F: Jump(ref r, (short)r.U16()); break;
                    case >= 0x30 and <= 0x4F: stack.Push((ulong)(op - 0x30)); break;
                    case >= 0x50 and <= 0x6F: { if (!registers(op - 0x50, out ulong v)) return null; stack.Push(v); break; }
                    case >= 0x70 and <= 0x8F: { if (!registers(op - 0x70, out ulong v)) return null; stack.Push(v + (ulong)r.Sleb()); break; }
                    case 0x90: { if (!registers((int)Math.Min(r.Uleb(), int.MaxValue), out ulong v)) return null; stack.Push(v); break; }
                    case 0x92: { int reg = (int)Math.Min(r.Uleb(), int.MaxValue); if (!registers(reg, out ulong v)) return null; stack.Push(v + (ulong)r.Sleb()); break; }
                    case 0x94:
                        {
                            int size = r.U8();
                            if (size is 0 or > 8 || !memory(stack.Pop(), out ulong v)) return null;
                            stack.Push(size == 8 ? v : v & ((1UL << (size * 8)) - 1));
                            break;
                        }
                    case 0x96: break;
                    default: return null;
                }
            }
            return stack.Count > 0 ? stack.Peek() : null;
        }
        catch (InvalidOperationException)
        {
            // Popped an empty stack: a malformed expression.
            return null;
        }
    }

    private static void Binary(Stack<ulong> stack, Func<ulong, ulong, ulong> f)
    {
        ulong b = stack.Pop(), a = stack.Pop();
        stack.Push(f(a, b));
    }

    private static void Jump(ref DwarfReader r, short offset)
    {
        int to = r.Position + offset;
        if (to < 0 || to > r.Length)
            throw new CfiFormatException("branch outside the expression");
        r.Position = to;
    }
}
