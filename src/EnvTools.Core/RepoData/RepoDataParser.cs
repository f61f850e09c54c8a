using EnvTools.Conda;

namespace EnvTools.RepoData;

/// <summary>
/// Parses repodata (v1 and v2, <c>packages</c> and <c>packages.conda</c>, <c>info.base_url</c>, <c>removed</c>,
/// flat <c>{filename: record}</c> maps) from JSON, <c>.json.zst</c>, <c>.json.bz2</c> or <c>.json.gz</c>
/// (detected by content). The input is streamed through a small buffer, one record at a time, so a full
/// parse never holds the whole file and the record graph together. For solving, prefer
/// <see cref="RepoDataIndex"/>, which decodes only the names asked for.
/// </summary>
public static class RepoDataParser
{
    private const int InitialBuffer = 1 << 17;

    /// <summary>Parses a repodata file.</summary>
    /// <param name="path">The file (plain or compressed).</param>
    /// <param name="subdirUrl">The URL of the channel subdir the file describes (e.g.
    /// <c>https://conda.anaconda.org/conda-forge/linux-64</c>): records get their <c>url</c> from it (or from a
    /// relative <c>base_url</c>) and it is their <c>channel</c> when they name none. Default: the file's folder as a <c>file://</c> URL.</param>
    /// <exception cref="MalformedDataException">The content is malformed; the message names the file, byte offset and line.</exception>
    public static RepoDataFile ParseFile(string path, string? subdirUrl = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        subdirUrl ??= new Uri(Path.GetDirectoryName(Path.GetFullPath(path))!).AbsoluteUri;
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Parse(fs, path, subdirUrl);
    }

    /// <summary>Parses repodata from a stream (plain or compressed); <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="MalformedDataException">The content is malformed.</exception>
    public static RepoDataFile Parse(Stream stream, string sourceName, string? subdirUrl = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using Stream json = RepoDataStreams.Decompress(stream);
        var decoder = new RepoDataDecoder(sourceName, subdirUrl);
        var packages = new List<RepoDataRecord>();
        var conda = new List<RepoDataRecord>();

        byte[] buf = new byte[InitialBuffer];
        int len = 0;
        long absBase = 0, lines = 0;
        bool final = false;
        var scanner = new RepoDataScanner();
        try
        {
            while (true)
            {
                RepoDataScanner.Result res = scanner.Next(buf.AsSpan(0, len), final, out RepoDataUnit u);
                if (res == RepoDataScanner.Result.Unit)
                {
                    Handle(decoder, buf.AsSpan(0, len), u, absBase, lines, packages, conda);
                    continue;
                }

                if (res == RepoDataScanner.Result.End)
                {
                    // Only whitespace may follow.
                    while (!final)
                    {
                        int keep = scanner.Position;
                        Compact(ref buf, ref len, ref keep, ref absBase, ref lines, grow: false);
                        scanner.Position = keep;
                        final = Fill(json, buf, ref len);
                        scanner.Next(buf.AsSpan(0, len), final, out _);
                    }

                    break;
                }

                // NeedMore: keep the incomplete member, grow when it fills the buffer, read on.
                int start = scanner.Position;
                Compact(ref buf, ref len, ref start, ref absBase, ref lines, grow: start == 0 && len == buf.Length);
                scanner.Position = start;
                final = Fill(json, buf, ref len);
            }
        }
        catch (RepoDataScanner.ScanException ex)
        {
            throw RecordErrors.Malformed("MalformedRepoData", sourceName, buf.AsSpan(0, len), absBase, new RecordFormatException(ex.Message, ex.Offset), lines);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new MalformedDataException("MalformedRepoData", sourceName, $"cannot decompress: {ex.Message} (at byte {absBase + len})", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new MalformedDataException("MalformedRepoData", sourceName, $"cannot decompress: {ex.Message}", ex);
        }
        catch (ZstdSharp.ZstdException ex)
        {
            throw new MalformedDataException("MalformedRepoData", sourceName, $"cannot decompress: {ex.Message}", ex);
        }

        decoder.Finish();
        foreach (RepoDataRecord r in packages)
        {
            decoder.Complete(r);
        }

        foreach (RepoDataRecord r in conda)
        {
            decoder.Complete(r);
        }

        return new RepoDataFile(decoder.Subdir, decoder.BaseUrl, decoder.RepoDataVersion, packages.ToArray(), conda.ToArray(), decoder.Removed.ToArray());
    }

    /// <summary>Parses repodata held in memory (plain JSON).</summary>
    /// <exception cref="MalformedDataException">The content is malformed.</exception>
    public static RepoDataFile Parse(byte[] json, string sourceName, string? subdirUrl = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(new MemoryStream(json, writable: false), sourceName, subdirUrl);
    }

    internal static void Handle(RepoDataDecoder decoder, ReadOnlySpan<byte> buf, in RepoDataUnit u, long absBase, long lines, List<RepoDataRecord> packages, List<RepoDataRecord> conda)
    {
        if (u.IsRecord)
        {
            RepoDataRecord rec = decoder.DecodeRecord(buf, u, absBase, lines, finished: false);
            (u.Section == RepoDataSection.PackagesConda ? conda : packages).Add(rec);
        }
        else
        {
            decoder.DecodeTop(buf, u, absBase, lines);
        }
    }

    private static void Compact(ref byte[] buf, ref int len, ref int keepFrom, ref long absBase, ref long lines, bool grow)
    {
        lines += buf.AsSpan(0, keepFrom).Count((byte)'\n');
        absBase += keepFrom;
        int rest = len - keepFrom;
        byte[] target = grow ? new byte[buf.Length * 2] : buf;
        Buffer.BlockCopy(buf, keepFrom, target, 0, rest);
        buf = target;
        len = rest;
        keepFrom = 0;
    }

    /// <summary>Reads until the buffer is full or the stream ends; true at the end.</summary>
    private static bool Fill(Stream s, byte[] buf, ref int len)
    {
        while (len < buf.Length)
        {
            int n = s.Read(buf, len, buf.Length - len);
            if (n == 0)
            {
                return true;
            }

            len += n;
        }

        return false;
    }
}
