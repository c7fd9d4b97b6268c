using System.Globalization;

namespace Microsoft.ML.Lstm.Tests;

/// <summary>
/// Reference tensors written by <c>tools/make_fixtures.py</c> (PyTorch, float64): read from
/// <c>Fixtures/&lt;name&gt;</c> next to the test assembly. A file is comment lines starting with '#', then for each
/// tensor a line <c>name d0 d1 …</c> (its shape; none for a scalar) followed by one line of its values in
/// row-major order. The script's header documents every tensor, the layout and the parameter mapping.
/// </summary>
internal sealed class TorchFixture
{
    private readonly Dictionary<string, (int[] Shape, double[] Values)> tensors;

    private TorchFixture(string source, Dictionary<string, (int[] Shape, double[] Values)> tensors, List<string> names)
    {
        Source = source;
        this.tensors = tensors;
        Names = names;
    }

    /// <summary>Where the tensors came from, for messages.</summary>
    public string Source { get; }

    /// <summary>Tensor names in file order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The values of a tensor, row-major.</summary>
    public double[] this[string name] => Get(name).Values;

    /// <summary>The shape of a tensor; empty for a scalar.</summary>
    public int[] Shape(string name) => Get(name).Shape;

    public bool Contains(string name) => tensors.ContainsKey(name);

    /// <summary>A scalar that holds a whole number (sizes, counts).</summary>
    public int Int(string name)
    {
        var (shape, values) = Get(name);
        if (shape.Length != 0)
            throw new InvalidOperationException($"{Source}: '{name}' has shape [{string.Join(", ", shape)}], expected a scalar.");
        return ToInt(name, values[0]);
    }

    /// <summary>A tensor of whole numbers (e.g. lengths), flattened.</summary>
    public int[] Ints(string name)
    {
        double[] values = this[name];
        var result = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = ToInt(name, values[i]);
        return result;
    }

    /// <summary>Loads <c>Fixtures/<paramref name="name"/></c> from the test output directory.</summary>
    public static TorchFixture Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Fixture '{name}' not found at {path}; regenerate with tools/make_fixtures.py.", path);
        return Parse(File.ReadAllText(path), name);
    }

    /// <summary>Parses the text of a fixture file; <paramref name="source"/> names it in error messages.</summary>
    public static TorchFixture Parse(string text, string source)
    {
        var tensors = new Dictionary<string, (int[], double[])>(StringComparer.Ordinal);
        var names = new List<string>();
        string[] lines = text.Split('\n');
        int lineIndex = 0;

        // Returns the next line that is neither blank nor a comment, or null at the end.
        string? NextLine()
        {
            while (lineIndex < lines.Length)
            {
                string line = lines[lineIndex++].Trim();
                if (line.Length != 0 && line[0] != '#')
                    return line;
            }
            return null;
        }

        string? header;
        while ((header = NextLine()) is not null)
        {
            int headerLine = lineIndex;
            string[] headerParts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string name = headerParts[0];
            var shape = new int[headerParts.Length - 1];
            long count = 1;
            for (int d = 0; d < shape.Length; d++)
            {
                if (!int.TryParse(headerParts[d + 1], NumberStyles.None, CultureInfo.InvariantCulture, out shape[d]))
                    throw new InvalidDataException($"{source} line {headerLine}: '{headerParts[d + 1]}' in the shape of '{name}' is not a dimension.");
                count *= shape[d];
            }
            if (tensors.ContainsKey(name))
                throw new InvalidDataException($"{source} line {headerLine}: tensor '{name}' appears twice.");

            string valueLine = count == 0 ? "" : NextLine()
                ?? throw new InvalidDataException($"{source}: tensor '{name}' has a shape line but no values.");
            string[] parts = valueLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != count)
                throw new InvalidDataException($"{source} line {lineIndex}: tensor '{name}' of shape [{string.Join(", ", shape)}] needs {count} values, found {parts.Length}.");
            var values = new double[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                    throw new InvalidDataException($"{source} line {lineIndex}: value {i} of '{name}' ('{parts[i]}') is not a number.");
            }
            tensors.Add(name, (shape, values));
            names.Add(name);
        }
        return new TorchFixture(source, tensors, names);
    }

    private (int[] Shape, double[] Values) Get(string name) =>
        tensors.TryGetValue(name, out var tensor)
            ? tensor
            : throw new KeyNotFoundException($"{Source} has no tensor '{name}'; it has: {string.Join(", ", Names)}.");

    private int ToInt(string name, double value) =>
        value == Math.Floor(value) && Math.Abs(value) <= int.MaxValue
            ? (int)value
            : throw new InvalidOperationException($"{Source}: '{name}' holds {value}, expected a whole number.");
}
