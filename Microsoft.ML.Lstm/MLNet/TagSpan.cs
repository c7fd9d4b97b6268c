namespace Microsoft.ML.Lstm.MLNet;

/// <summary>One entity of a tag sequence: tokens <see cref="Start"/> to <see cref="End"/> (exclusive), of one type.</summary>
/// <param name="Start">Index of its first token.</param>
/// <param name="End">Index one past its last token.</param>
/// <param name="EntityType">Index of its type in <see cref="TagScheme.EntityTypes"/>.</param>
internal readonly record struct TagSpan(int Start, int End, int EntityType);
