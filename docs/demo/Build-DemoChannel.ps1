#requires -Version 7.4
<#
.SYNOPSIS
    Lays out the demo channel docs/demo/channel: one real .conda archive per record of docs/demo/packages/<subdir>.json,
    and each subdir's repodata.json.
.DESCRIPTION
    `./build.ps1 Build` runs it (in a child pwsh, after laying out the module) when the records or this script changed
    since the last layout. Each package is built by the engine's [EnvTools.Packages.PackageBuilder] with the record's
    name, version, build, build_number, depends, constrains, track_features, noarch, license and timestamp, and a
    little content: share/demo/<name>/README, for noarch: python packages site-packages/<module>/__init__.py, and for
    the libraries a pkg-config file with the build prefix (rewritten to the environment's prefix on install). The
    channel is indexed by [EnvTools.Packages.ChannelIndexer]. The archives are reproducible: the same records give the
    same bytes (entries dated by the record's timestamp).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [string] $Source = (Join-Path $PSScriptRoot 'packages'),
    [string] $Destination = (Join-Path $PSScriptRoot 'channel')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module $ModulePath

# conda-build's kind of placeholder: the long folder the packages were "built" in; installs write the prefix instead.
$placeholder = '/opt/envtools-demo-build/' + ('_placehold' * 20)
# Libraries that ship a pkg-config file naming their prefix.
$pkgConfig = 'zlib', 'openssl'

function Get-DemoFiles([pscustomobject] $Record, [string] $Subdir) {
    $name = $Record.name
    $files = [ordered]@{}
    $isPython = $Record.PSObject.Properties['noarch'] -and $Record.noarch -eq 'python'
    if ($isPython) {
        $module = $name -replace '[-.]', '_'
        $files["site-packages/$module/__init__.py"] = "`"`"`"$name $($Record.version): a package of the EnvTools demo channel.`"`"`"`n__version__ = `"$($Record.version)`"`n"
    }
    else {
        $files["share/demo/$name/README"] = "$name $($Record.version) ($($Record.build), $Subdir): a package of the EnvTools demo channel, " +
            "built from docs/demo/packages/$Subdir.json.`n"
    }
    if ($name -in $pkgConfig) {
        $files["lib/pkgconfig/$name.pc"] = "prefix=$placeholder`nlibdir=`${prefix}/lib`nincludedir=`${prefix}/include`n`nName: $name`nVersion: $($Record.version)`n"
    }
    $files
}

function New-DemoDefinition([pscustomobject] $Record, [string] $Subdir) {
    $def = [EnvTools.Packages.PackageDefinition]::new()
    $def.Name = $Record.name
    $def.Version = $Record.version
    $def.Build = $Record.build
    $def.BuildNumber = $Record.build_number
    $def.Subdir = $Subdir
    $props = $Record.PSObject.Properties
    if ($props['noarch']) { $def.Noarch = $Record.noarch }
    if ($props['depends']) { $def.Depends = [string[]] $Record.depends }
    if ($props['constrains']) { $def.Constrains = [string[]] $Record.constrains }
    if ($props['track_features']) { $def.TrackFeatures = [string[]] ($Record.track_features -split '[ ,]+' | Where-Object { $_ }) }
    if ($props['license']) { $def.License = $Record.license }
    $def.Timestamp = [long] $Record.timestamp
    $def.PrefixPlaceholder = $placeholder
    $def
}

$staging = "$Destination.new-$PID"
$work = Join-Path ([IO.Path]::GetTempPath()) "envtools-demo-src-$PID"
if (Test-Path $staging) { Remove-Item $staging -Recurse -Force }
$count = 0
try {
    foreach ($file in Get-ChildItem $Source -Filter *.json | Sort-Object Name) {
        $subdir = $file.BaseName
        foreach ($record in (Get-Content $file.FullName -Raw | ConvertFrom-Json)) {
            if (Test-Path $work) { Remove-Item $work -Recurse -Force }
            $files = Get-DemoFiles $record $subdir
            foreach ($rel in $files.Keys) {
                $path = Join-Path $work $rel
                New-Item -ItemType Directory -Path (Split-Path $path) -Force | Out-Null
                [IO.File]::WriteAllText($path, $files[$rel])
            }
            $def = New-DemoDefinition $record $subdir
            [EnvTools.Packages.PackageBuilder]::Build($work, $def, (Join-Path $staging $subdir)) | Out-Null
            $count++
        }
    }
    [EnvTools.Packages.ChannelIndexer]::Index($staging) | Out-Null
    # Swap the new channel in.
    $old = "$Destination.old-$PID"
    if (Test-Path $Destination) { Move-Item $Destination $old }
    Move-Item $staging $Destination
    if (Test-Path $old) { Remove-Item $old -Recurse -Force }
}
finally {
    foreach ($p in $work, $staging) { if (Test-Path $p) { Remove-Item $p -Recurse -Force } }
}
Write-Host "Demo channel: $count packages in $Destination" -ForegroundColor Green
