using Microsoft.ML.Data;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// One output column of a sequence transformer, described without ML.NET's internals: its name and type, the
/// role ML.NET's scorers annotate it with, the class names it carries, and how the network's predictions for a
/// row become its value. A transformer is a list of these; its base turns them into schema columns and getters.
/// </summary>
/// <remarks>
/// Three shapes, for the network's predictions of a row (<see cref="IRowPredictions"/>: K values per sequence for a
/// pooled head, K per step for a per-step head):
/// <list type="bullet">
/// <item><see cref="ScalarPredictionColumn{T}"/>: one value per row (a logit, a probability, a bool, a key);</item>
/// <item><see cref="VectorPredictionColumn"/>: a fixed-size float vector (class probabilities, several targets);</item>
/// <item><see cref="StepPredictionColumn{T}"/>: a variable-length vector of one value or one key per step (tagging).</item>
/// </list>
/// </remarks>
internal abstract class PredictionColumn
{
    private protected PredictionColumn(string name, DataViewType type, PredictionRole? role, IReadOnlyList<string>? classNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(type);
        Name = name;
        Type = type;
        Role = role;
        ClassNames = classNames is null ? [] : [.. classNames];
        int classes = ClassCount(type);
        if (ClassNames.Count != 0 && ClassNames.Count != classes)
            throw new ArgumentException($"Column '{name}' of type {type} has room for {classes} class names; {ClassNames.Count} were given.", nameof(classNames));
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>The column's type.</summary>
    public DataViewType Type { get; }

    /// <summary>The role ML.NET's scorers mark the column with, or null for none.</summary>
    public PredictionRole? Role { get; }

    /// <summary>
    /// The classes the column's values stand for: the slot names of a fixed-size vector, or the key values of a
    /// key column (one key per row or per step); empty for none.
    /// </summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>
    /// The column's getter (a <c>ValueGetter</c> of the type's raw type) for the row <paramref name="predictions"/>
    /// reads; the network runs once per row however many getters read it.
    /// </summary>
    public abstract Delegate CreateGetter(IRowPredictions predictions);

    /// <summary>The names a column of <paramref name="type"/> can carry: a key's count, a fixed vector's size (of keys: their count).</summary>
    private static int ClassCount(DataViewType type) => type switch
    {
        KeyDataViewType key => checked((int)key.Count),
        VectorDataViewType { ItemType: KeyDataViewType key } => checked((int)key.Count),
        VectorDataViewType vector => vector.Size,
        _ => 0,
    };
}
