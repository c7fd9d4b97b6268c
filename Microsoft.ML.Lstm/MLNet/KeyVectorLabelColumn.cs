using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A label of one class per step (tagging): a variable-length vector of keys (<c>MapValueToKey</c> over a vector
/// of tags) as long as the row's sequence; key k is class k − 1, and the key's values (when text) name the classes.
/// </summary>
/// <remarks>
/// The shape ML.NET's own per-token trainer reads (TorchSharp's NER trainer). When <c>MaxSequenceLength</c> cuts
/// a sequence, the tags of its kept steps are its targets; the length is checked against the whole sequence.
/// </remarks>
internal sealed class KeyVectorLabelColumn : LabelColumn
{
    private const string Expected = "a vector of keys of UInt32 with at least two values, one per step (map the tags with MapValueToKey)";

    private readonly string stepName;

    private KeyVectorLabelColumn(DataViewSchema.Column column, string setName, string stepName)
        : base(column, setName)
    {
        if (column.Type is not VectorDataViewType { ItemType: KeyDataViewType key } || key.RawType != typeof(uint))
            throw WrongType(Expected);
        if (key.Count < 2 || key.Count > int.MaxValue)
            throw WrongType($"{Expected}; its keys have {key.Count} values");
        this.stepName = stepName;
        ClassCount = (int)key.Count;
        ClassNames = ReadKeyValues(column, ClassCount);
    }

    /// <summary>Reads and checks column <paramref name="name"/> of a data set.</summary>
    /// <param name="schema">The data set's schema.</param>
    /// <param name="name">The label column.</param>
    /// <param name="setName">"training" or "validation", for messages.</param>
    /// <param name="stepName">What a step is, for messages: "token" for a token column, "step" for float steps.</param>
    public static KeyVectorLabelColumn From(DataViewSchema schema, string name, string setName, string stepName = "step") =>
        new(Find(schema, name, setName, Expected), setName, stepName);

    /// <summary>Checks the column's shape when a pipeline is planned; returns it (its key values name the classes).</summary>
    public static SchemaShape.Column CheckShape(SchemaShape schema, string name)
    {
        if (!SchemaShapeColumns.TryFind(schema, name, out SchemaShape.Column column))
            throw ShapeMismatch(name, Expected, "missing");
        bool isVector = column.Kind is SchemaShape.Column.VectorKind.Vector or SchemaShape.Column.VectorKind.VariableVector;
        if (!isVector || !column.IsKey || column.ItemType != NumberDataViewType.UInt32)
            throw ShapeMismatch(name, Expected, SchemaShapeColumns.Describe(column));
        return column;
    }

    /// <summary>Number of classes: the key's count.</summary>
    public int ClassCount { get; }

    /// <summary>The key's text values, one per class; empty when the key has none (or they are not text).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc/>
    public override int OutputSize => ClassCount;

    /// <inheritdoc/>
    public override int TargetCount(int steps) => steps;

    /// <inheritdoc/>
    public override TargetGetter CreateTargetGetter(DataViewRow row)
    {
        ValueGetter<VBuffer<uint>> getLabel = row.GetGetter<VBuffer<uint>>(Column);
        VBuffer<uint> tags = default;
        string expected = $"keys from 1 to {ClassCount}";
        return (int rowSteps, Span<float> targets) =>
        {
            getLabel(ref tags);
            if (tags.Length != rowSteps)
                throw BadLabel(row.Position, $"{Count(tags.Length, "tag")} for {Count(rowSteps, stepName)}", $"one tag per {stepName}");
            int step = 0;
            foreach (uint key in tags.DenseValues())
            {
                if (step == targets.Length)
                    break;
                if (key == 0)
                    throw BadLabel(row.Position, $"the tag at step {step} is missing (key 0, a value MapValueToKey did not know)", expected);
                if (key > ClassCount)
                    throw BadLabel(row.Position, $"the tag key {key} at step {step} is out of range", expected);
                targets[step++] = key - 1;
            }
        };
    }

    /// <summary>"1 tag", "5 tags".</summary>
    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    /// <inheritdoc/>
    public override void CheckMatches(LabelColumn training)
    {
        var trainingLabel = (KeyVectorLabelColumn)training;
        CheckSameClasses(ClassCount, ClassNames, trainingLabel.ClassCount, trainingLabel.ClassNames);
    }
}
