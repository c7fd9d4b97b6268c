using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// A trainer's label column, checked against what the task needs, and how each row's label becomes the
/// network's training targets: one value per sequence (0/1, a class index, a number), several values (one per
/// regression target) or one class index per step.
/// </summary>
/// <remarks>
/// The kinds: <see cref="BooleanLabelColumn"/> (a bool → 0/1), <see cref="KeyLabelColumn"/> (a key → its class
/// index), <see cref="SingleLabelColumn"/> (a float), <see cref="SingleVectorLabelColumn"/> (a fixed-size float
/// vector → K targets) and <see cref="KeyVectorLabelColumn"/> (a variable-length key vector → one class index per step).
/// </remarks>
internal abstract class LabelColumn
{
    /// <summary>The annotation holding a key column's values (ML.NET's <c>AnnotationUtils.Kinds.KeyValues</c>).</summary>
    private protected const string KeyValuesAnnotation = "KeyValues";

    private protected LabelColumn(DataViewSchema.Column column, string setName)
    {
        Column = column;
        SetName = setName;
    }

    /// <summary>The column in the data set it was read from.</summary>
    public DataViewSchema.Column Column { get; }

    /// <summary>"training" or "validation", for messages.</summary>
    public string SetName { get; }

    /// <summary>The network's K: outputs per sequence (1, one per class, one per target), or classes per step.</summary>
    public abstract int OutputSize { get; }

    /// <summary>Targets of a sequence of <paramref name="steps"/> kept steps: 1, K, or one per step.</summary>
    public abstract int TargetCount(int steps);

    /// <summary>Reads the targets of the row <paramref name="row"/> is on (see <see cref="TargetGetter"/>).</summary>
    public abstract TargetGetter CreateTargetGetter(DataViewRow row);

    /// <summary>Throws when a validation set's label cannot be scored by a network trained on <paramref name="training"/>'s.</summary>
    public virtual void CheckMatches(LabelColumn training)
    {
    }

    /// <summary>Finds column <paramref name="name"/> of <paramref name="schema"/> or throws naming it and the set.</summary>
    private protected static DataViewSchema.Column Find(DataViewSchema schema, string name, string setName, string expected)
    {
        DataViewSchema.Column? column = schema.GetColumnOrNull(name);
        if (column is null)
            throw new ArgumentOutOfRangeException(setName + "Data", $"The {setName} data has no label column '{name}'; expected {expected}.");
        return column.Value;
    }

    /// <summary>
    /// The text values of a key column (or a key vector column), one per key; empty when it has none, they are
    /// not text, or their count is not <paramref name="keyCount"/>.
    /// </summary>
    private protected static string[] ReadKeyValues(DataViewSchema.Column column, int keyCount)
    {
        if (column.Annotations.Schema.GetColumnOrNull(KeyValuesAnnotation)?.Type is not VectorDataViewType { ItemType: TextDataViewType })
            return [];
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.GetKeyValues(ref values);
        string[] names = [.. values.DenseValues().Select(value => value.ToString())];
        return names.Length == keyCount ? names : [];
    }

    /// <summary>Throws unless the training label has the same classes (count and names) as this one.</summary>
    private protected void CheckSameClasses(int classCount, IReadOnlyList<string> classNames, int trainingClassCount, IReadOnlyList<string> trainingClassNames)
    {
        if (trainingClassCount != classCount || !trainingClassNames.SequenceEqual(classNames))
        {
            throw new ArgumentOutOfRangeException(SetName + "Data",
                $"The {SetName} data's label column '{Column.Name}' has {classCount} classes ({string.Join(", ", classNames)}); " +
                $"the training data's has {trainingClassCount} ({string.Join(", ", trainingClassNames)}). Map both labels with the same MapValueToKey transformer.");
        }
    }

    private protected ArgumentOutOfRangeException WrongType(string expected) =>
        new(SetName + "Data", $"The {SetName} data's label column '{Column.Name}' is {Column.Type}; expected {expected}.");

    private protected InvalidOperationException BadLabel(long row, string problem, string expected) =>
        new($"Column '{Column.Name}', row {row} of the {SetName} data: {problem}; expected {expected}.");

    private protected static ArgumentOutOfRangeException ShapeMismatch(string name, string expected, string found) =>
        new("inputSchema", $"Label column '{name}': expected {expected}; found {found}.");
}
