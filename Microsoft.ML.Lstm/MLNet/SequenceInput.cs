using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// What the feature column held when the network was trained, and so what it must hold when the
/// network scores.
/// </summary>
/// <param name="Kind">Token keys or float steps.</param>
/// <param name="FeaturesPerStep">Floats per time step (<see cref="SequenceInputKind.Features"/>); 0 for tokens.</param>
/// <param name="TokenKeyCount">
/// Number of keys of the token column (<see cref="SequenceInputKind.Tokens"/>); 0 for floats.
/// Key k (1-based) becomes token index k − 1; the missing key 0 becomes index
/// <see cref="TokenKeyCount"/>, the unknown token, so the embedding has <c>TokenKeyCount + 1</c> rows.
/// </param>
internal readonly record struct SequenceInput(SequenceInputKind Kind, int FeaturesPerStep, ulong TokenKeyCount)
{
    /// <summary>A vector of keys out of <paramref name="keyCount"/>.</summary>
    public static SequenceInput TokenKeys(ulong keyCount) => new(SequenceInputKind.Tokens, 0, keyCount);

    /// <summary>A vector of floats, <paramref name="featuresPerStep"/> per step.</summary>
    public static SequenceInput FloatSteps(int featuresPerStep) => new(SequenceInputKind.Features, featuresPerStep, 0);

    /// <summary>Throws when the description cannot have come from a real column.</summary>
    public void Validate()
    {
        switch (Kind)
        {
            case SequenceInputKind.Tokens when TokenKeyCount is > 0 and < int.MaxValue && FeaturesPerStep == 0:
            case SequenceInputKind.Features when FeaturesPerStep > 0 && TokenKeyCount == 0:
                return;
            default:
                throw new InvalidDataException(
                    $"Invalid sequence input: kind {Kind}, {FeaturesPerStep} features per step, {TokenKeyCount} token keys.");
        }
    }
}
