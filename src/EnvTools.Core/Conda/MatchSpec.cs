namespace EnvTools.Conda;

/// <summary>
/// conda's package query (<c>conda.models.match_spec.MatchSpec</c>, CEP-29): a package name (or <c>*</c>)
/// plus optional conditions on version, build, build number, channel, subdir, checksums, file name,
/// URL, features and license. Parses every string form conda accepts:
/// <c>numpy</c>, <c>numpy 1.21.*</c>, <c>numpy&gt;=1.21,&lt;2|1.19.*</c>, <c>numpy=1.21=py39*</c>,
/// <c>numpy==1.21.0=py39h1234567_0</c>, <c>conda-forge/linux-64::numpy</c>,
/// <c>numpy[version='&gt;=1.21',build=*cuda*,build_number='&gt;=3']</c>, package URLs and file paths.
/// <see cref="ToString"/> is conda's canonical form (<c>str(MatchSpec)</c>). Immutable and thread-safe;
/// parsed specs are cached by text.
/// </summary>
public sealed partial class MatchSpec : IEquatable<MatchSpec>
{
    private static readonly BoundedCache<string, MatchSpec> Cache = new(65536, StringComparer.Ordinal);

    private string? _text;
    private string? _key;

    private MatchSpec(string name)
        : this(name, StringMatcher.Parse(name, ignoreCase: true))
    {
    }

    private MatchSpec(string name, StringMatcher nameMatcher)
    {
        Name = name;
        NameMatcher = nameMatcher;
    }

    /// <summary>The package name, lower-cased; <c>*</c> when any name matches. May be a glob (<c>py*</c>) or regex.</summary>
    public string Name { get; }

    /// <summary>The matcher for the name (case-insensitive).</summary>
    public StringMatcher NameMatcher { get; }

    /// <summary>The version condition, or null when any version matches.</summary>
    public VersionSpec? Version { get; private set; }

    /// <summary>The version condition as conda keeps it (its <c>get("version")</c>), e.g. <c>1.7*</c> for <c>numpy=1.7</c>.</summary>
    public string? VersionText { get; private set; }

    /// <summary>The build-string condition (exact, glob or regex), or null.</summary>
    public StringMatcher? Build { get; private set; }

    /// <summary>The build-number condition, or null.</summary>
    public BuildNumberSpec? BuildNumber { get; private set; }

    /// <summary>The channel condition, or null.</summary>
    public MatchSpecChannel? Channel { get; private set; }

    /// <summary>The required subdir (e.g. <c>linux-64</c>), or null.</summary>
    public string? Subdir { get; private set; }

    /// <summary>The required MD5 of the archive, or null.</summary>
    public string? Md5 { get; private set; }

    /// <summary>The required SHA-256 of the archive, or null.</summary>
    public string? Sha256 { get; private set; }

    /// <summary>The required archive file name (<c>fn</c>), or null.</summary>
    public string? FileName { get; private set; }

    /// <summary>The required archive URL, or null.</summary>
    public string? Url { get; private set; }

    /// <summary>The exact set of <c>track_features</c> a record must have (sorted), or null when unconstrained.</summary>
    public IReadOnlyList<string>? TrackFeatures { get; private set; }

    /// <summary>The exact set of legacy <c>features</c> a record must have (sorted), or null when unconstrained.</summary>
    public IReadOnlyList<string>? Features { get; private set; }

    /// <summary>The license condition (case-insensitive), or null.</summary>
    public StringMatcher? License { get; private set; }

    /// <summary>The license-family condition (case-insensitive), or null.</summary>
    public StringMatcher? LicenseFamily { get; private set; }

    /// <summary>CEP 'v3' condition under which the dependency applies (<c>[when="__win"]</c>), or null. Not used by <see cref="Matches(IPackageRecordView)"/>.</summary>
    public string? When { get; private set; }

    /// <summary>CEP 'v3' optional-dependency groups (<c>[extras=[a,b]]</c>) in the order given, or null. Not used by <see cref="Matches(IPackageRecordView)"/>.</summary>
    public IReadOnlyList<string>? Extras { get; private set; }

    /// <summary>CEP 'v3' flags (<c>[flags=[cpu]]</c>) in the order given, or null. Not used by <see cref="Matches(IPackageRecordView)"/>.</summary>
    public IReadOnlyList<string>? Flags { get; private set; }

    /// <summary>The text this spec was parsed from, or null when it was built from fields or merged.</summary>
    public string? OriginalText { get; private set; }

    /// <summary>Whether the spec was written as a package file path or URL (its text form is conda's channel/subdir::name==version=build).</summary>
    internal bool FromPackageFile { get; private set; }

    /// <summary>The exact version required (<c>1.7</c> for <c>numpy==1.7</c>), or null when the version is a range, glob or absent.</summary>
    public string? ExactVersion
    {
        get
        {
            if (Version is null || VersionText is null || !Version.IsExact)
            {
                return null;
            }

            return VersionText.StartsWith("==", StringComparison.Ordinal) ? VersionText[2..] : VersionText;
        }
    }

    /// <summary>True when the spec is only an exact package name (no other condition).</summary>
    public bool IsNameOnly => NameMatcher.ExactValue is not null && Version is null && Build is null && BuildNumber is null
        && Channel is null && Subdir is null && Md5 is null && Sha256 is null && FileName is null && Url is null
        && TrackFeatures is null && Features is null && License is null && LicenseFamily is null
        && When is null && Extras is null && Flags is null;

    /// <summary>
    /// Parses a MatchSpec string; throws <see cref="InvalidSpecException"/> (with the reason and the
    /// position of the problem) when it is malformed. Results are cached by text.
    /// </summary>
    public static MatchSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ParseCore(text, out SpecError error) ?? throw error.ToException(text);
    }

    /// <summary>Parses a MatchSpec string without throwing; false (and null) when it is null or malformed.</summary>
    public static bool TryParse(string? text, out MatchSpec? spec)
    {
        spec = text is null ? null : ParseCore(text, out _);
        return spec is not null;
    }

    /// <summary>
    /// The (cached) spec, or null and why <paramref name="text"/> is malformed (the position is in <paramref name="text"/>):
    /// the one parse behind <see cref="Parse"/> and <see cref="TryParse"/>, which reports errors without throwing them.
    /// </summary>
    internal static MatchSpec? ParseCore(string text, out SpecError error)
    {
        if (Cache.TryGetValue(text, out MatchSpec? cached))
        {
            error = default;
            return cached;
        }

        ParsedMatchSpec? parsed = MatchSpecParser.Parse(text, out error);
        MatchSpec? spec = parsed is null ? null : FromParsed(parsed, text, out error, out _);
        if (spec is null)
        {
            return null;
        }

        spec.OriginalText = text;

        Cache.Add(text, spec);
        return spec;
    }

    /// <summary>
    /// Builds a spec from field values, like conda's <c>MatchSpec(name=..., version=..., build=...)</c>.
    /// Keys are conda's field names (<c>name</c>, <c>version</c>, <c>build</c>, <c>build_number</c>,
    /// <c>channel</c>, <c>subdir</c>, <c>md5</c>, <c>sha256</c>, <c>fn</c>, <c>url</c>, <c>track_features</c>,
    /// <c>features</c>, <c>license</c>, <c>license_family</c>, <c>when</c>); values are taken literally
    /// (no <c>=1.2</c> → <c>1.2*</c> rewriting). A missing name means <c>*</c>.
    /// </summary>
    public static MatchSpec FromFields(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var parsed = new ParsedMatchSpec();
        foreach (KeyValuePair<string, string> kv in fields)
        {
            if (Array.IndexOf(MatchSpecParser.FieldNames, kv.Key) < 0)
            {
                throw new InvalidSpecException(string.Join(", ", fields.Select(f => $"{f.Key}={f.Value}")), $"Cannot match on field(s): {kv.Key}");
            }

            if (kv.Key is "extras" or "flags")
            {
                List<string> list = kv.Value.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
                if (kv.Key == "extras")
                {
                    parsed.Extras = list;
                }
                else
                {
                    parsed.Flags = list;
                }

                continue;
            }

            parsed.Fields[kv.Key] = kv.Value;
        }

        if (parsed.Fields.TryGetValue("channel", out string? channel))
        {
            (MatchSpecChannel? ch, string? subdir) = MatchSpecChannel.ParseWithSubdir(channel);
            if (ch is null)
            {
                parsed.Fields.Remove("channel");
            }
            else
            {
                parsed.Fields["channel"] = ch.Value;
            }

            if (subdir is not null && !parsed.Fields.ContainsKey("subdir"))
            {
                parsed.Fields["subdir"] = subdir;
            }
        }

        parsed.Fields.TryAdd("name", "*");
        return FromParsed(parsed, null);
    }

    /// <summary>
    /// conda's <c>MatchSpec.from_dist_str</c>: <c>[channel[/subdir]::]name-version-build[.conda|.tar.bz2]</c>
    /// (the form of <c>conda list --explicit</c> dist names and conda-meta file names).
    /// </summary>
    public static MatchSpec FromDistString(string dist)
    {
        ArgumentNullException.ThrowIfNull(dist);
        string s = dist;
        if (s.EndsWith(".conda", StringComparison.Ordinal))
        {
            s = s[..^6];
        }
        else if (s.EndsWith(".tar.bz2", StringComparison.Ordinal))
        {
            s = s[..^8];
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        int sep = s.IndexOf("::", StringComparison.Ordinal);
        if (sep >= 0)
        {
            string channelSubdir = s[..sep];
            s = s[(sep + 2)..];
            int slash = channelSubdir.LastIndexOf('/');
            if (slash > 0 && MatchSpecChannelNames.IsKnownSubdir(channelSubdir[(slash + 1)..]))
            {
                fields["channel"] = channelSubdir[..slash];
                fields["subdir"] = channelSubdir[(slash + 1)..];
            }
            else
            {
                fields["channel"] = channelSubdir;
            }
        }

        string[] nvb = MatchSpecParser.RSplit(s, '-', 2);
        if (nvb.Length != 3 || nvb.Any(p => p.Length == 0))
        {
            throw new InvalidSpecException(dist, "a dist string is <name>-<version>-<build>");
        }

        fields["name"] = nvb[0];
        fields["version"] = nvb[1];
        fields["build"] = nvb[2];
        return FromFields(fields);
    }

    /// <summary>Whether <paramref name="record"/> satisfies every condition of this spec.</summary>
    public bool Matches(IPackageRecordView record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!NameMatcher.IsMatchAll && !NameMatcher.IsMatch(record.Name))
        {
            return false;
        }

        if (Version is not null && Version.Kind != VersionSpecKind.Any && !Version.Matches(record.Version))
        {
            return false;
        }

        if (Build is not null && !Build.IsMatchAll && !Build.IsMatch(record.Build))
        {
            return false;
        }

        if (BuildNumber is not null && !BuildNumber.Matches(record.BuildNumber))
        {
            return false;
        }

        if (Channel is not null && !Channel.IsMatchAll && !Channel.Matches(record.Channel))
        {
            return false;
        }

        if (Subdir is not null && !string.Equals(Subdir, record.Subdir, StringComparison.Ordinal))
        {
            return false;
        }

        if (Md5 is not null && !string.Equals(Md5, record.Md5, StringComparison.Ordinal))
        {
            return false;
        }

        if (Sha256 is not null && !string.Equals(Sha256, record.Sha256, StringComparison.Ordinal))
        {
            return false;
        }

        if (FileName is not null && !string.Equals(FileName, record.FileName, StringComparison.Ordinal))
        {
            return false;
        }

        if (Url is not null && !string.Equals(Url, record.Url, StringComparison.Ordinal))
        {
            return false;
        }

        if (TrackFeatures is not null && !SameFeatures(TrackFeatures, record.TrackFeatures))
        {
            return false;
        }

        if (Features is not null && !SameFeatures(Features, record.Features))
        {
            return false;
        }

        if (License is not null && !License.IsMatch(record.License))
        {
            return false;
        }

        return LicenseFamily is null || LicenseFamily.IsMatch(record.LicenseFamily);
    }

    /// <summary>
    /// conda's <c>MatchSpec.merge</c>: specs for the same name are intersected into one (versions joined
    /// with <c>,</c>, build globs intersected, other fields must agree); specs named <c>*</c> are kept
    /// apart. Throws <see cref="InvalidOperationException"/> when two specs of one name cannot both hold.
    /// </summary>
    public static IReadOnlyList<MatchSpec> Merge(IEnumerable<MatchSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        List<MatchSpec> sorted = specs.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();
        var groups = new List<List<MatchSpec>>();
        var byName = new Dictionary<string, List<MatchSpec>>(StringComparer.Ordinal);
        var unmergeable = new List<MatchSpec>();
        foreach (MatchSpec s in sorted)
        {
            if (s.NameMatcher.ExactValue is null)
            {
                unmergeable.Add(s);
                continue;
            }

            if (!byName.TryGetValue(s.Name, out List<MatchSpec>? group))
            {
                group = new List<MatchSpec>();
                byName[s.Name] = group;
                groups.Add(group);
            }

            group.Add(s);
        }

        var result = new List<MatchSpec>(groups.Count + unmergeable.Count);
        foreach (List<MatchSpec> group in groups)
        {
            MatchSpec merged = group[0];
            for (int i = 1; i < group.Count; i++)
            {
                merged = merged.MergeWith(group[i]);
            }

            result.Add(merged);
        }

        result.AddRange(unmergeable);
        return result;
    }

    /// <summary>
    /// conda's canonical string form (<c>str(MatchSpec)</c>):
    /// <c>[channel[/subdir]::]name[==version[=build]|=fuzzy|!=v|~=v][key=value,...]</c>, e.g.
    /// <c>numpy 1.7*</c> → <c>numpy=1.7</c>, <c>numpy&gt;=1.7</c> → <c>numpy[version='&gt;=1.7']</c>.
    /// </summary>
    public override string ToString() => _text ??= Format();

    /// <inheritdoc />
    public bool Equals(MatchSpec? other) => other is not null && string.Equals(Key, other.Key, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as MatchSpec);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

    /// <summary>Equality of the conditions (not of the original text).</summary>
    public static bool operator ==(MatchSpec? left, MatchSpec? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality of the conditions.</summary>
    public static bool operator !=(MatchSpec? left, MatchSpec? right) => !(left == right);

    // The file name is part of the key only where the url does not already name it ('[url=…/x.conda]' and the path x.conda are one spec).
    private string Key => _key ??= $"{ToString()}\u0001{Url}\u0001{(UrlNamesFile ? null : FileName)}\u0001{(Extras is null ? null : string.Join(",", Extras.Order(StringComparer.Ordinal)))}";

    private bool UrlNamesFile =>
        Url is not null && FileName is not null && Uri.UnescapeDataString(Url[(Url.LastIndexOf('/') + 1)..]) == FileName;

    private static MatchSpec FromParsed(ParsedMatchSpec parsed, string? input) =>
        FromParsed(parsed, input, out SpecError error, out string errorInput) ?? throw error.ToException(errorInput);

    /// <summary>
    /// The spec of parsed fields, or null, the error and the text it is about: <paramref name="input"/> when given (a field's
    /// own error is then told as "invalid key 'value': ..."), else the field value or name that did not parse.
    /// </summary>
    private static MatchSpec? FromParsed(ParsedMatchSpec parsed, string? input, out SpecError error, out string errorInput)
    {
        string name = parsed.Fields.TryGetValue("name", out string? n) ? n : "*";
        string lowerName = name.ToLowerInvariant();
        StringMatcher? nameMatcher = StringMatcher.ParseCore(lowerName, ignoreCase: true, out SpecError nameError);
        if (nameMatcher is null)
        {
            errorInput = input ?? name;
            error = new SpecError(nameError.Reason, -1, nameError.ToException(lowerName));
            return null;
        }

        var spec = new MatchSpec(lowerName, nameMatcher);
        foreach (KeyValuePair<string, string> kv in parsed.Fields)
        {
            string v = kv.Value;
            if (!spec.SetField(kv.Key, v, out error, out string? fieldInput))
            {
                fieldInput ??= input ?? kv.Key;
                if (input is not null && fieldInput != input)
                {
                    error = new SpecError($"invalid {kv.Key} '{v}': {error.Reason}", input.IndexOf(v, StringComparison.Ordinal), error.ToException(fieldInput));
                    fieldInput = input;
                }

                errorInput = fieldInput;
                return null;
            }
        }

        spec.Extras = parsed.Extras;
        spec.Flags = parsed.Flags;
        spec.FromPackageFile = parsed.IsTarball;
        error = default;
        errorInput = string.Empty;
        return spec;
    }

    /// <summary>Sets one field; false with the error and the text it is about (null for an unknown key) when the value does not parse.</summary>
    private bool SetField(string key, string v, out SpecError error, out string? errorInput)
    {
        error = default;
        errorInput = v;
        switch (key)
        {
            case "name":
                return true;
            case "version":
                Version = VersionSpec.ParseCore(v, out error);
                VersionText = v;
                return Version is not null;
            case "build":
                Build = StringMatcher.ParseCore(v, false, out error);
                return Build is not null;
            case "build_number":
                BuildNumber = BuildNumberSpec.ParseCore(v, out error);
                return BuildNumber is not null;
            case "channel":
                Channel = MatchSpecChannel.ParseCore(v, out error);
                return Channel is not null;
            case "subdir":
                Subdir = v;
                return true;
            case "md5":
                Md5 = v;
                return true;
            case "sha256":
                Sha256 = v;
                return true;
            case "fn":
                FileName = v;
                return true;
            case "url":
                Url = v;
                return true;
            case "track_features":
                TrackFeatures = SplitFeatures(v);
                return true;
            case "features":
                Features = SplitFeatures(v);
                return true;
            case "license":
                errorInput = v.ToLowerInvariant();
                License = StringMatcher.ParseCore(v, true, out error);
                return License is not null;
            case "license_family":
                errorInput = v.ToLowerInvariant();
                LicenseFamily = StringMatcher.ParseCore(v, true, out error);
                return LicenseFamily is not null;
            case "when":
                When = v;
                return true;
            default:
                error = new SpecError($"Cannot match on field(s): {key}", -1);
                errorInput = null;
                return false;
        }
    }

    private void SetVersion(string text, string? input)
    {
        VersionSpec vs = VersionSpec.Parse(text);
        Version = vs;
        VersionText = text;
        _ = input;
    }

    private static IReadOnlyList<string> SplitFeatures(string value) =>
        value.Replace(' ', ',').Split(',').Select(f => f.Trim()).Where(f => f.Length > 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    private static bool SameFeatures(IReadOnlyList<string> wanted, IReadOnlyList<string>? actual)
    {
        var have = new HashSet<string>(StringComparer.Ordinal);
        if (actual is not null)
        {
            foreach (string f in actual)
            {
                foreach (string part in f.Replace(' ', ',').Split(','))
                {
                    if (part.Trim().Length > 0)
                    {
                        have.Add(part.Trim());
                    }
                }
            }
        }

        return have.SetEquals(wanted);
    }
}
