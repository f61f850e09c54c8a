using System.Runtime.CompilerServices;
namespace EnvTools.Conda;

/// <summary>The keys a record type knows; anything else is kept verbatim as an extra field.</summary>
internal enum RecordField
{
    Unknown = -1,
    // PackageRecord
    Name, Version, Build, BuildNumber, Depends, Constrains, TrackFeatures, Features, NoArch, Timestamp,
    Md5, Sha256, Size, License, LicenseFamily, Subdir, Platform, Arch, LegacyBz2Md5, LegacyBz2Size,
    PythonSitePackagesPath,
    // RepoDataRecord
    Url, Channel, Fn,
    // PrefixRecord
    Files, PathsData, Link, RequestedSpec, RequestedSpecs, ExtractedPackageDir, PackageTarballFullPath, PackageType,
    Count,
}

internal static class RecordFields
{
    /// <summary>JSON key of each field, indexed by <see cref="RecordField"/>.</summary>
    public static readonly string[] Keys =
    [
        "name", "version", "build", "build_number", "depends", "constrains", "track_features", "features", "noarch", "timestamp",
        "md5", "sha256", "size", "license", "license_family", "subdir", "platform", "arch", "legacy_bz2_md5", "legacy_bz2_size",
        "python_site_packages_path",
        "url", "channel", "fn",
        "files", "paths_data", "link", "requested_spec", "requested_specs", "extracted_package_dir", "package_tarball_full_path", "package_type",
    ];

    public static ulong Bit(RecordField f) => 1UL << (int)f;

    /// <summary>Maps a JSON key (unescaped UTF-8) to a field; a switch on the length keeps it to one or two compares.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RecordField Lookup(ReadOnlySpan<byte> k)
    {
        switch (k.Length)
        {
            case 2: return k.SequenceEqual("fn"u8) ? RecordField.Fn : RecordField.Unknown;
            case 3: return k.SequenceEqual("md5"u8) ? RecordField.Md5 : k.SequenceEqual("url"u8) ? RecordField.Url : RecordField.Unknown;
            case 4:
                return k.SequenceEqual("name"u8) ? RecordField.Name : k.SequenceEqual("size"u8) ? RecordField.Size
                    : k.SequenceEqual("arch"u8) ? RecordField.Arch : k.SequenceEqual("link"u8) ? RecordField.Link : RecordField.Unknown;
            case 5:
                return k.SequenceEqual("build"u8) ? RecordField.Build : k.SequenceEqual("files"u8) ? RecordField.Files : RecordField.Unknown;
            case 6:
                return k.SequenceEqual("sha256"u8) ? RecordField.Sha256 : k.SequenceEqual("subdir"u8) ? RecordField.Subdir
                    : k.SequenceEqual("noarch"u8) ? RecordField.NoArch : RecordField.Unknown;
            case 7:
                return k.SequenceEqual("version"u8) ? RecordField.Version : k.SequenceEqual("depends"u8) ? RecordField.Depends
                    : k.SequenceEqual("license"u8) ? RecordField.License : k.SequenceEqual("channel"u8) ? RecordField.Channel : RecordField.Unknown;
            case 8:
                return k.SequenceEqual("platform"u8) ? RecordField.Platform : k.SequenceEqual("features"u8) ? RecordField.Features : RecordField.Unknown;
            case 9: return k.SequenceEqual("timestamp"u8) ? RecordField.Timestamp : RecordField.Unknown;
            case 10:
                return k.SequenceEqual("constrains"u8) ? RecordField.Constrains : k.SequenceEqual("paths_data"u8) ? RecordField.PathsData : RecordField.Unknown;
            case 12:
                return k.SequenceEqual("build_number"u8) ? RecordField.BuildNumber : k.SequenceEqual("package_type"u8) ? RecordField.PackageType : RecordField.Unknown;
            case 14:
                return k.SequenceEqual("license_family"u8) ? RecordField.LicenseFamily : k.SequenceEqual("track_features"u8) ? RecordField.TrackFeatures
                    : k.SequenceEqual("legacy_bz2_md5"u8) ? RecordField.LegacyBz2Md5 : k.SequenceEqual("requested_spec"u8) ? RecordField.RequestedSpec : RecordField.Unknown;
            case 15:
                return k.SequenceEqual("legacy_bz2_size"u8) ? RecordField.LegacyBz2Size : k.SequenceEqual("requested_specs"u8) ? RecordField.RequestedSpecs : RecordField.Unknown;
            case 21: return k.SequenceEqual("extracted_package_dir"u8) ? RecordField.ExtractedPackageDir : RecordField.Unknown;
            case 25:
                return k.SequenceEqual("python_site_packages_path"u8) ? RecordField.PythonSitePackagesPath
                    : k.SequenceEqual("package_tarball_full_path"u8) ? RecordField.PackageTarballFullPath : RecordField.Unknown;
            default: return RecordField.Unknown;
        }
    }
}
