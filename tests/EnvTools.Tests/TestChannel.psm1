# Builds small conda channels for the Pester tests: real repodata.json files in a folder.

function New-TestRecord {
    param(
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Version,
        [string] $Build = '0',
        [int] $BuildNumber = 0,
        [string[]] $Depends = @(),
        [string[]] $Constrains = @(),
        [string] $Subdir = 'linux-64',
        [long] $Timestamp = 1700000000000
    )
    [ordered]@{
        name         = $Name
        version      = $Version
        build        = $Build
        build_number = $BuildNumber
        depends      = @($Depends)
        constrains   = @($Constrains)
        subdir       = $Subdir
        timestamp    = $Timestamp
        size         = 1024 * ($Name.Length + $Version.Length)
        md5          = ('{0:x32}' -f [Math]::Abs("$Name$Version$Build".GetHashCode()))
        license      = 'BSD-3-Clause'
    }
}

function New-TestChannel {
    <# Writes <Path>/<subdir>/repodata.json for the given records (and an empty noarch). #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [System.Collections.IDictionary[]] $Records
    )
    $bySubdir = @{ 'noarch' = [ordered]@{} }
    foreach ($r in $Records) {
        if (-not $bySubdir.ContainsKey($r.subdir)) { $bySubdir[$r.subdir] = [ordered]@{} }
        $bySubdir[$r.subdir]["$($r.name)-$($r.version)-$($r.build).tar.bz2"] = $r
    }
    foreach ($subdir in $bySubdir.Keys) {
        $dir = Join-Path $Path $subdir
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $doc = [ordered]@{
            info             = @{ subdir = $subdir }
            packages         = $bySubdir[$subdir]
            'packages.conda' = @{}
            repodata_version = 1
        }
        $doc | ConvertTo-Json -Depth 10 | Set-Content -Path (Join-Path $dir 'repodata.json') -Encoding utf8NoBOM
    }
    $Path
}

Export-ModuleMember -Function New-TestRecord, New-TestChannel
