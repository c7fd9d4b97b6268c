namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The random source of training, whose state can be saved into a checkpoint and restored: the same numbers as
/// <c>new Random(seed)</c>, bit for bit, for the calls training makes (<see cref="NextDouble"/>, <see cref="Next(int, int)"/>
/// and so <c>Shuffle</c>), so that a network trained with it equals one trained before it existed.
/// </summary>
/// <remarks>
/// A seeded <see cref="Random"/> is Knuth's subtractive generator (The Art of Computer Programming, vol. 2, 3.6): 55
/// numbers below 2³¹ − 1, each new one the difference of two earlier ones 24 apart, kept as a ring with two cursors.
/// .NET seeds it from the seed's magnitude and 161,803,398, and keeps the ring's slot 0 unused; the state is the ring
/// and the cursors, which <see cref="SaveState"/> gives and <see cref="RestoreState"/> takes back.
/// </remarks>
internal sealed class ResumableRandom : Random
{
    private const int RingSize = 56;
    private const int Modulus = int.MaxValue;
    private const int Seed = 161_803_398;

    private readonly int[] ring = new int[RingSize];
    private int next;
    private int nextPlus;

    /// <summary>The generator <c>new Random(<paramref name="seed"/>)</c> is.</summary>
    public ResumableRandom(int seed)
        : base(seed)
    {
        int subtraction = seed == int.MinValue ? int.MaxValue : Math.Abs(seed);
        int current = Seed - subtraction;
        ring[55] = current;
        int previous = 1;
        int slot = 0;
        for (int i = 1; i < 55; i++)
        {
            slot += 21;
            if (slot >= 55)
                slot -= 55;
            ring[slot] = previous;
            previous = current - previous;
            if (previous < 0)
                previous += Modulus;
            current = ring[slot];
        }
        for (int round = 1; round < 5; round++)
        {
            for (int i = 1; i < RingSize; i++)
            {
                int other = i + 30;
                if (other >= 55)
                    other -= 55;
                ring[i] -= ring[1 + other];
                if (ring[i] < 0)
                    ring[i] += Modulus;
            }
        }
        next = 0;
        nextPlus = 21;
    }

    /// <summary>Values in a saved state: the ring and the two cursors.</summary>
    public const int StateLength = RingSize + 2;

    /// <summary>The generator's state, for <see cref="RestoreState"/>.</summary>
    public int[] SaveState()
    {
        var state = new int[StateLength];
        ring.CopyTo(state, 0);
        state[RingSize] = next;
        state[RingSize + 1] = nextPlus;
        return state;
    }

    /// <summary>Puts back a state <see cref="SaveState"/> gave; the numbers that follow are those that followed then.</summary>
    /// <exception cref="InvalidDataException">The state cannot have come from this generator.</exception>
    public void RestoreState(ReadOnlySpan<int> state)
    {
        if (state.Length != StateLength)
            throw new InvalidDataException($"A random state holds {StateLength} values, not {state.Length}.");
        for (int i = 0; i < RingSize; i++)
        {
            if (state[i] is < 0 or >= Modulus)
                throw new InvalidDataException($"Value {i} of a random state is {state[i]}; expected 0 to {Modulus - 1}.");
        }
        int savedNext = state[RingSize], savedNextPlus = state[RingSize + 1];
        if (savedNext is < 0 or >= RingSize || savedNextPlus is < 0 or >= RingSize)
            throw new InvalidDataException($"The cursors of a random state are {savedNext} and {savedNextPlus}; expected 0 to {RingSize - 1}.");
        state[..RingSize].CopyTo(ring);
        next = savedNext;
        nextPlus = savedNextPlus;
    }

    /// <summary>The next number of the ring, 0 ≤ n &lt; 2³¹ − 1.</summary>
    private int NextInRing()
    {
        if (++next >= RingSize)
            next = 1;
        if (++nextPlus >= RingSize)
            nextPlus = 1;
        int value = ring[next] - ring[nextPlus];
        if (value == Modulus)
            value--;
        if (value < 0)
            value += Modulus;
        ring[next] = value;
        return value;
    }

    /// <inheritdoc/>
    protected override double Sample() => NextInRing() * (1.0 / Modulus);

    /// <inheritdoc/>
    public override double NextDouble() => Sample();

    /// <inheritdoc/>
    public override int Next() => NextInRing();

    /// <inheritdoc/>
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)(Sample() * maxValue);
    }

    /// <inheritdoc/>
    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        long range = (long)maxValue - minValue;
        return range <= int.MaxValue ? (int)(Sample() * range) + minValue : (int)((long)(LargeRangeSample() * range) + minValue);
    }

    /// <inheritdoc/>
    public override float NextSingle() => (float)Sample();

    /// <inheritdoc/>
    public override long NextInt64() => throw new NotSupportedException("Training draws no 64-bit integers.");

    /// <inheritdoc/>
    public override long NextInt64(long maxValue) => throw new NotSupportedException("Training draws no 64-bit integers.");

    /// <inheritdoc/>
    public override long NextInt64(long minValue, long maxValue) => throw new NotSupportedException("Training draws no 64-bit integers.");

    /// <inheritdoc/>
    public override void NextBytes(byte[] buffer) => NextBytes(buffer.AsSpan());

    /// <inheritdoc/>
    public override void NextBytes(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++)
            buffer[i] = (byte)NextInRing();
    }

    /// <summary>A sample for a range wider than <see cref="int.MaxValue"/>: two draws, as .NET's seeded generator makes it.</summary>
    private double LargeRangeSample()
    {
        int value = NextInRing();
        if (NextInRing() % 2 == 0)
            value = -value;
        return (value + (double)(int.MaxValue - 1)) / (2.0 * int.MaxValue - 1);
    }
}
