using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// A <see cref="CrfHead{T}"/>: dropout, a dense layer of <see cref="ClassCount"/> emission scores at every step, and a
/// linear-chain conditional random field over the tags with learned transition, start and end scores, trained with
/// the negative log-likelihood of each sequence's whole tag path. Hard constraints (a tagging scheme's rules, such as
/// BIO's "I-X only after B-X or I-X") forbid transitions, first tags or last tags outright: a forbidden one scores −∞,
/// so no decoded path contains it and it gets no gradient.
/// </summary>
internal sealed record CrfHeadSpec : HeadSpec
{
    /// <summary>
    /// Most tags. The forward algorithm, Viterbi and the pair marginals each cost K² per token, so a tag set larger
    /// than this wants a per-step softmax instead.
    /// </summary>
    public const int MaxClassCount = 1024;

    /// <summary>
    /// Longest run of sequence lengths <see cref="Validate"/> follows while it looks for the tags reachable at each
    /// length to repeat; constraints whose reachable tags have not repeated by then are refused.
    /// </summary>
    public const int MaxCheckedLength = 4096;

    /// <summary>Tags (K).</summary>
    public required int ClassCount { get; init; }

    /// <summary>Which transitions may occur, [K·K] row-major with index from·K + to; null allows all.</summary>
    public bool[]? AllowedTransitions { get; init; }

    /// <summary>Which tags may begin a sequence [K]; null allows all.</summary>
    public bool[]? AllowedStarts { get; init; }

    /// <summary>Which tags may end a sequence [K]; null allows all.</summary>
    public bool[]? AllowedEnds { get; init; }

    /// <summary>Whether tag <paramref name="to"/> may follow tag <paramref name="from"/>.</summary>
    public bool AllowsTransition(int from, int to) => AllowedTransitions?[from * ClassCount + to] ?? true;

    /// <summary>Whether a sequence may begin with <paramref name="tag"/>.</summary>
    public bool AllowsStart(int tag) => AllowedStarts?[tag] ?? true;

    /// <summary>Whether a sequence may end with <paramref name="tag"/>.</summary>
    public bool AllowsEnd(int tag) => AllowedEnds?[tag] ?? true;

    /// <inheritdoc />
    public override ISequenceHead<T> Create<T>(ParameterStore<T> store, EncoderSpec encoder, Random? random) =>
        new CrfHead<T>(this, store, encoder, random);

    /// <summary>The dense layer's K·D + K, the transitions' K², and the start and end scores' 2K.</summary>
    public override long ParameterCount(EncoderSpec encoder)
    {
        long k = ClassCount;
        return encoder.OutputSize * k + k + k * k + 2 * k;
    }

    /// <summary>Checks the sizes, then that the constraints allow at least one tag path of every length.</summary>
    public override void Validate()
    {
        base.Validate();
        EncoderSpec.Require(ClassCount is >= 2 and <= MaxClassCount, nameof(ClassCount), ClassCount, $"in [2, {MaxClassCount}]");
        int k = ClassCount;
        EncoderSpec.Require(AllowedTransitions is null || AllowedTransitions.Length == k * k, nameof(AllowedTransitions), AllowedTransitions?.Length ?? 0, $"one flag per pair of tags ({k * k})");
        EncoderSpec.Require(AllowedStarts is null || AllowedStarts.Length == k, nameof(AllowedStarts), AllowedStarts?.Length ?? 0, $"one flag per tag ({k})");
        EncoderSpec.Require(AllowedEnds is null || AllowedEnds.Length == k, nameof(AllowedEnds), AllowedEnds?.Length ?? 0, $"one flag per tag ({k})");
        RequirePathsOfEveryLength();
    }

    /// <summary>
    /// Follows the set of tags an allowed path can reach at lengths 1, 2, …: each set follows from the one before, so
    /// once a set repeats the rest repeat too, and every length has an allowed path if every set up to there holds an
    /// allowed end. A tagging scheme's sets repeat within a few lengths (BIO's from length 2 on).
    /// </summary>
    private void RequirePathsOfEveryLength()
    {
        if (AllowedTransitions is null && AllowedStarts is null && AllowedEnds is null)
            return;
        int k = ClassCount;
        var reachable = new bool[k];
        var next = new bool[k];
        for (int tag = 0; tag < k; tag++)
            reachable[tag] = AllowsStart(tag);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var key = new char[k];
        for (int length = 1; length <= MaxCheckedLength; length++)
        {
            bool canEnd = false;
            for (int tag = 0; tag < k; tag++)
            {
                canEnd |= reachable[tag] && AllowsEnd(tag);
                key[tag] = reachable[tag] ? '1' : '0';
            }
            if (!canEnd)
                throw new ArgumentException($"The CRF's constraints allow no tag path of length {length}; every length needs at least one.", nameof(AllowedTransitions));
            if (!seen.Add(new string(key)))
                return;
            Array.Clear(next);
            for (int from = 0; from < k; from++)
            {
                if (!reachable[from])
                    continue;
                for (int to = 0; to < k; to++)
                    next[to] |= AllowsTransition(from, to);
            }
            (reachable, next) = (next, reachable);
        }
        throw new ArgumentException($"The tags the CRF's constraints reach have not settled after {MaxCheckedLength} steps; such constraints are not supported.", nameof(AllowedTransitions));
    }

    /// <summary>Value equality that compares the constraints' values, not their arrays.</summary>
    public bool Equals(CrfHeadSpec? other) =>
        other is not null && base.Equals(other) && ClassCount == other.ClassCount
        && SameFlags(AllowedTransitions, other.AllowedTransitions) && SameFlags(AllowedStarts, other.AllowedStarts) && SameFlags(AllowedEnds, other.AllowedEnds);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), ClassCount);

    private static bool SameFlags(bool[]? a, bool[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}
