using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// The architecture of a head: what it reads from the encoder, what it outputs, and its loss. Each kind of head
/// has its own record deriving from this one, and builds its <see cref="ISequenceHead{T}"/>.
/// </summary>
internal abstract record HeadSpec
{
    /// <summary>Dropout rate on the encoder's features before the head's own layers.</summary>
    public double Dropout { get; init; }

    /// <summary>Builds the head over an encoder of <paramref name="encoder"/>'s shape; initialises from <paramref name="random"/>, or leaves zeros to be loaded when it is null.</summary>
    public abstract ISequenceHead<T> Create<T>(ParameterStore<T> store, EncoderSpec encoder, Random? random) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>How many weights the head has over <paramref name="encoder"/>, from the sizes alone.</summary>
    public abstract long ParameterCount(EncoderSpec encoder);

    /// <summary>Throws naming the first size or setting that does not make a head.</summary>
    /// <summary>Throws <see cref="ArgumentException"/> unless this head can read what <paramref name="encoder"/> gives (its input kind, its step width).</summary>
    public virtual void ValidateWith(EncoderSpec encoder)
    {
    }

    public virtual void Validate() =>
        EncoderSpec.Require(Dropout is >= 0 and < 1, nameof(Dropout), Dropout, "in [0, 1)");
}
