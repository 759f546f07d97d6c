#!/usr/bin/env bash
# System tools the tests and benchmarks use, from Debian's archive (no other downloads):
# Chromium for the renderer tests; dcmtk, GDCM, OpenJPEG and dicom3tools as independent
# DICOM references; Debian's Python with PyTorch/ONNX/pydicom for the training recipe and
# the reference pipelines; g++ and the codec libraries' -dev packages (CharLS, OpenJPEG, OpenJPH,
# libjpeg-turbo, dcmtk) for the in-process native decoders of `npm run bench:decode`; Orthanc with its
# DICOMweb and GDCM plugins, the real PACS the PACS tests start (the service itself is not used);
# python3-jsonschema to check model manifests against the schema generated from the app's.
# Installs only what is missing; needs root (or sudo) for apt-get.
set -euo pipefail
packages=(chromium dcmtk libgdcm-tools libopenjp2-tools dicom3tools
  python3-numpy python3-pil python3-pydicom python3-torch python3-onnx libopenblas0-openmp
  g++ libcharls-dev libopenjp2-7-dev libopenjph-dev libturbojpeg0-dev libdcmtk-dev
  orthanc orthanc-dicomweb orthanc-gdcm python3-jsonschema openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-debian: all system packages present"
  exit 0
fi
echo "setup-debian: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
