using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Per-value means and standard deviations measured on the training data: a float input step's features, or a
/// regression's targets. The network sees z = (x − mean) / deviation; a regression's outputs are brought back with
/// y = mean + deviation · z. A deviation that was 0 or not finite is stored as 1, so a constant value becomes 0.
/// </summary>
/// <param name="Means">The mean of each value [count].</param>
/// <param name="Deviations">The standard deviation of each value, positive and finite [count].</param>
internal sealed record Standardization(float[] Means, float[] Deviations)
{
    /// <summary>Values one section of a model file may hold: no more than a step's features or a network's outputs can be.</summary>
    private const int MaxCount = PooledHeadSpec.MaxOutputSize;

    /// <summary>Values standardized: a step's features, or the targets.</summary>
    public int Count => Means.Length;

    /// <summary>Standardizes <paramref name="values"/> in place: consecutive groups of <see cref="Count"/> (steps, step-major).</summary>
    public void Apply(Span<float> values)
    {
        int count = Count;
        for (int i = 0; i < values.Length; i++)
        {
            int k = i % count;
            values[i] = (values[i] - Means[k]) / Deviations[k];
        }
    }

    /// <summary>Brings standardized values (groups of <see cref="Count"/>) back to the data's units: y = mean + deviation · z.</summary>
    public void Restore(ReadOnlySpan<float> standardized, Span<float> destination)
    {
        int count = Count;
        for (int i = 0; i < standardized.Length; i++)
        {
            int k = i % count;
            destination[i] = Means[k] + Deviations[k] * standardized[i];
        }
    }

    /// <summary>Writes the count · the means · the deviations.</summary>
    public void Write(ModelSectionWriter section)
    {
        section.WriteInt32(Count);
        section.WriteFloats(Means);
        section.WriteFloats(Deviations);
    }

    /// <summary>Reads what <see cref="Write"/> wrote, to the section's end, and checks it holds <paramref name="expectedCount"/> values.</summary>
    /// <exception cref="InvalidDataException">The section is malformed, its count differs, a mean is not finite or a deviation is not positive and finite.</exception>
    public static Standardization Read(ModelSectionReader section, int expectedCount, string what)
    {
        int count = section.ReadCount($"{what} count", MaxCount, 2 * sizeof(float));
        if (count != expectedCount)
            throw new InvalidDataException($"The model file's section '{section.Name}' is malformed: it standardizes {count} {what}, but the network has {expectedCount}.");
        var means = new float[count];
        var deviations = new float[count];
        for (int i = 0; i < count; i++)
            means[i] = section.ReadSingle($"the mean of {what} {i}", float.MinValue, float.MaxValue);
        for (int i = 0; i < count; i++)
            deviations[i] = section.ReadSingle($"the standard deviation of {what} {i}", float.Epsilon, float.MaxValue);
        section.ExpectEnd();
        return new Standardization(means, deviations);
    }

    /// <summary>A short description for the log: "mean 412.3, std 57.1" (the first few values of a longer list).</summary>
    public string Describe()
    {
        const int Shown = 4;
        if (Count == 1)
            return $"mean {Means[0]:G4}, std {Deviations[0]:G4}";
        string List(float[] values) =>
            string.Join(", ", values.Take(Shown).Select(value => value.ToString("G4"))) + (values.Length > Shown ? ", …" : "");
        return $"means [{List(Means)}], stds [{List(Deviations)}]";
    }

    /// <summary>
    /// Accumulates the mean and variance of each of <c>count</c> values over groups of them (Welford's update, in
    /// double), then gives the <see cref="Standardization"/>.
    /// </summary>
    public sealed class Accumulator(int count)
    {
        private readonly double[] means = new double[count];
        private readonly double[] squares = new double[count]; // Σ (x − mean)²
        private long groups;

        /// <summary>Adds consecutive groups of <c>count</c> values (steps, step-major).</summary>
        public void Add(ReadOnlySpan<float> values)
        {
            int count = means.Length;
            for (int start = 0; start + count <= values.Length; start += count)
            {
                groups++;
                for (int k = 0; k < count; k++)
                {
                    double value = values[start + k];
                    double delta = value - means[k];
                    means[k] += delta / groups;
                    squares[k] += delta * (value - means[k]);
                }
            }
        }

        /// <summary>The means and (population) standard deviations of what was added; a deviation of 0 or not finite becomes 1.</summary>
        public Standardization ToStandardization()
        {
            int count = means.Length;
            var meanValues = new float[count];
            var deviations = new float[count];
            for (int k = 0; k < count; k++)
            {
                meanValues[k] = (float)means[k];
                float deviation = groups > 0 ? (float)Math.Sqrt(squares[k] / groups) : 0f;
                deviations[k] = deviation > 0 && float.IsFinite(deviation) ? deviation : 1f;
            }
            return new Standardization(meanValues, deviations);
        }
    }
}
