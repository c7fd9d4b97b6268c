using System.Numerics;

namespace Microsoft.ML.Lstm.Networks;

/// <summary>
/// All trainable parameters of a network in one flat buffer, with a gradient buffer of the same shape.
/// Layers register named views at construction and read their slices through them, so the optimizer,
/// gradient clipping and the serializer each see one array. A store told its size up front allocates its values
/// once; the gradients are allocated when first used, so a network that only scores never has them.
/// </summary>
internal sealed class ParameterStore<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<ParameterView> views = new();
    private readonly HashSet<ParameterView> frozen = new();
    private T[] values;
    private T[]? gradients;
    private int count;

    /// <summary>An empty store that grows with each parameter added.</summary>
    public ParameterStore()
        : this(0)
    {
    }

    /// <summary>A store for parameters of <paramref name="capacity"/> values in all, allocated once.</summary>
    public ParameterStore(long capacity)
    {
        if (capacity is < 0 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"A store holds 0 to {int.MaxValue} values.");
        values = capacity == 0 ? Array.Empty<T>() : new T[capacity];
    }

    /// <summary>Every parameter value, view after view.</summary>
    public T[] Values => values.Length == count ? values : throw new InvalidOperationException($"The store was sized for {values.Length} values but holds parameters of {count}.");

    /// <summary>Gradient of the loss with respect to each value; layers accumulate into it during backward.</summary>
    public T[] Gradients => gradients ??= new T[Values.Length];

    /// <summary>Total number of scalar parameters.</summary>
    public int Count => count;

    /// <summary>The registered views, in registration order.</summary>
    public IReadOnlyList<ParameterView> Views => views;

    /// <summary>Registers a parameter of the given shape, initialised to zero, and returns its view.</summary>
    public ParameterView Add(string name, params int[] shape)
    {
        if (views.Exists(v => v.Name == name))
            throw new ArgumentException($"A parameter named '{name}' already exists.", nameof(name));
        int length = 1;
        foreach (int dimension in shape)
        {
            if (dimension <= 0)
                throw new ArgumentOutOfRangeException(nameof(shape), $"Parameter '{name}' has a non-positive dimension {dimension}.");
            length = checked(length * dimension);
        }
        var view = new ParameterView(name, count, length, (int[])shape.Clone());
        int total = checked(count + length);
        if (total > values.Length)
            Array.Resize(ref values, total);
        if (gradients is not null)
            Array.Resize(ref gradients, total);
        count = total;
        views.Add(view);
        return view;
    }

    /// <summary>
    /// Counts changes to <see cref="Values"/>: whoever writes values after the first forward pass (the
    /// trainer after each optimizer step, a loader) calls <see cref="MarkChanged"/>, so caches derived from the
    /// weights, such as packed recurrent matrices, know to rebuild.
    /// </summary>
    public int Version { get; private set; }

    /// <summary>Records that <see cref="Values"/> changed; a <see cref="Compression"/> of the old values is dropped.</summary>
    public void MarkChanged()
    {
        Version++;
        Compression = null;
    }

    /// <summary>
    /// The compressed copies of some weights that products multiply by instead of the float values (a network compressed
    /// for scoring), or null. Set after the values it stands for are in place; dropped by <see cref="MarkChanged"/>.
    /// </summary>
    public WeightCompression? Compression { get; set; }

    /// <summary>Parameters that training must leave as they are (e.g. frozen pretrained embeddings).</summary>
    public IReadOnlyCollection<ParameterView> FrozenViews => frozen;

    /// <summary>Freezes or unfreezes one parameter.</summary>
    public void SetFrozen(ParameterView view, bool isFrozen)
    {
        if (isFrozen)
            frozen.Add(view);
        else
            frozen.Remove(view);
    }

    /// <summary>The values of one parameter.</summary>
    public Span<T> Value(ParameterView view) => values.AsSpan(view.Offset, view.Length);

    /// <summary>The gradient of one parameter.</summary>
    public Span<T> Gradient(ParameterView view) => Gradients.AsSpan(view.Offset, view.Length);

    /// <summary>Sets every gradient to zero, before a new batch accumulates into them.</summary>
    public void ZeroGradients() => Array.Clear(Gradients);

    /// <summary>Finds a view by name.</summary>
    public ParameterView Find(string name) =>
        views.Find(v => v.Name == name) ?? throw new KeyNotFoundException($"No parameter named '{name}'.");
}

/// <summary>A named slice of a <see cref="ParameterStore{T}"/>: offset, length and shape (row-major).</summary>
internal sealed record ParameterView(string Name, int Offset, int Length, int[] Shape);
