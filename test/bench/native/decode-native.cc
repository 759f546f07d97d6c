// In-process native reference decoders for `npm run bench:decode` (test/bench/decode.ts).
//
//   decode-native CODEC INPUT OUTPUT REPEATS WARMUP ROWS COLUMNS SAMPLES BITS_ALLOCATED SIGNED YBR
//
// Reads one encapsulated frame (the codestream bytes of one DICOM frame) from INPUT into memory,
// decodes it WARMUP times untimed and REPEATS times timed (clock_gettime(CLOCK_MONOTONIC) around
// each decode call: header parse, decode, a fresh output buffer of interleaved samples), writes the
// last decode's samples to OUTPUT (little endian, 1 or 2 bytes per sample) and prints one JSON line:
//   {"library": "...", "width": W, "height": H, "components": C, "bytesPerSample": B, "timesMs": [...]}
// Everything runs on one thread (OpenJPEG is asked for 1 thread), as RadSift's WASM codecs do.
//
// CODEC: turbojpeg (8-bit DCT JPEG), dcmtk-ijg12 (12-bit DCT JPEG), dcmtk-ijg16 (JPEG lossless),
// charls (JPEG-LS), openjpeg (JPEG 2000), openjph (HTJ2K), dcmtk-rle (RLE Lossless).
// Built by build.sh in this folder against Debian's -dev packages (scripts/setup-debian.sh).

#include <charls/charls.h>
#include <openjpeg.h>
#include <openjph/ojph_arch.h>  // before the other OpenJPH headers: defines OJPH_EXPORT
#include <openjph/ojph_codestream.h>
#include <openjph/ojph_file.h>
#include <openjph/ojph_mem.h>
#include <openjph/ojph_params.h>
#include <openjph/ojph_version.h>
#include <turbojpeg.h>
#include <jconfig.h>  // LIBJPEG_TURBO_VERSION

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcrledec.h"
#include "dcmtk/dcmjpeg/djcparam.h"
#include "dcmtk/dcmjpeg/djdijg12.h"
#include "dcmtk/dcmjpeg/djdijg16.h"
#include "dcmtk/oflog/oflog.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#define STR2(x) #x
#define STR(x) STR2(x)

struct Frame {
  int rows, columns, samples, bitsAllocated;
  bool isSigned, ybr;
};

// What one decode hands back: interleaved samples in a fresh buffer (freed by the caller, untimed).
struct Decoded {
  uint8_t *data = nullptr;
  size_t bytes = 0;
  int width = 0, height = 0, components = 0, bytesPerSample = 0;
};

[[noreturn]] static void fail(const std::string &message) { throw std::runtime_error(message); }

static uint8_t *allocate(size_t bytes) {
  auto *p = static_cast<uint8_t *>(std::malloc(bytes ? bytes : 1));
  if (!p) fail("out of memory");
  return p;
}

// ---- libjpeg-turbo (TurboJPEG API): 8-bit DCT JPEG, default (accurate integer) IDCT, fancy upsampling.
static tjhandle turbo;
static Decoded decodeTurbo(const uint8_t *in, size_t size, const Frame &) {
  int w, h, subsamp, colorspace;
  if (tjDecompressHeader3(turbo, in, size, &w, &h, &subsamp, &colorspace) != 0) fail(tjGetErrorStr2(turbo));
  const int format = colorspace == TJCS_GRAY ? TJPF_GRAY : TJPF_RGB;
  Decoded d;
  d.width = w, d.height = h, d.components = tjPixelSize[format], d.bytesPerSample = 1;
  d.bytes = size_t(w) * h * d.components;
  d.data = allocate(d.bytes);
  if (tjDecompress2(turbo, in, size, d.data, w, 0, h, format, 0) != 0) fail(tjGetErrorStr2(turbo));
  return d;
}

// ---- dcmtk's IJG 6b builds (what dcmdjpeg runs): 12-bit DCT JPEG and lossless JPEG. Debian's
// libjpeg-turbo 2.1 decodes neither ("Unsupported JPEG data precision 12", "SOF type 0xc3").
// One decoder per process (each run decodes one frame), re-initialised per decode as dcmtk does.
template <typename Decoder>
static Decoded decodeDcmtk(const uint8_t *in, size_t size, const Frame &f) {
  static DJCodecParameter parameters(ECC_lossyYCbCr, EDC_photometricInterpretation, EUC_never, EPC_colorByPixel);
  static Decoder decoder(parameters, f.ybr);
  Decoded d;
  d.width = f.columns, d.height = f.rows, d.components = f.samples, d.bytesPerSample = 2;
  d.bytes = size_t(f.columns) * f.rows * f.samples * 2;
  d.data = allocate(d.bytes);
  if (decoder.init().bad()) fail("dcmtk: init failed");
  OFCondition result = decoder.decode(const_cast<Uint8 *>(in), Uint32(size), d.data, Uint32(d.bytes), f.isSigned);
  if (result.bad()) fail(std::string("dcmtk: ") + result.text());
  return d;
}

// ---- CharLS (JPEG-LS).
static Decoded decodeCharls(const uint8_t *in, size_t size, const Frame &) {
  charls_jpegls_decoder *decoder = charls_jpegls_decoder_create();
  if (!decoder) fail("charls: no decoder");
  auto check = [&](charls_jpegls_errc e) {
    if (e != charls::jpegls_errc::success) {
      charls_jpegls_decoder_destroy(decoder);
      fail(std::string("charls: ") + charls_get_error_message(e));
    }
  };
  check(charls_jpegls_decoder_set_source_buffer(decoder, in, size));
  check(charls_jpegls_decoder_read_header(decoder));
  charls_frame_info info;
  check(charls_jpegls_decoder_get_frame_info(decoder, &info));
  charls_interleave_mode mode;
  check(charls_jpegls_decoder_get_interleave_mode(decoder, &mode));
  if (info.component_count > 1 && mode == charls::interleave_mode::none) fail("charls: planar colour not handled here");
  size_t bytes;
  check(charls_jpegls_decoder_get_destination_size(decoder, 0, &bytes));
  Decoded d;
  d.width = int(info.width), d.height = int(info.height), d.components = info.component_count;
  d.bytesPerSample = info.bits_per_sample > 8 ? 2 : 1;
  d.bytes = bytes;
  d.data = allocate(bytes);
  check(charls_jpegls_decoder_decode_to_buffer(decoder, d.data, bytes, 0));
  charls_jpegls_decoder_destroy(decoder);
  return d;
}

// ---- OpenJPEG (JPEG 2000) from memory, one thread.
struct MemoryStream {
  const uint8_t *data;
  OPJ_SIZE_T size, position;
};
static OPJ_SIZE_T streamRead(void *buffer, OPJ_SIZE_T n, void *user) {
  auto *s = static_cast<MemoryStream *>(user);
  if (s->position >= s->size) return OPJ_SIZE_T(-1);
  OPJ_SIZE_T count = std::min(n, s->size - s->position);
  std::memcpy(buffer, s->data + s->position, count);
  s->position += count;
  return count;
}
static OPJ_OFF_T streamSkip(OPJ_OFF_T n, void *user) {
  auto *s = static_cast<MemoryStream *>(user);
  OPJ_OFF_T target = OPJ_OFF_T(s->position) + n;
  if (target < 0) target = 0;
  if (target > OPJ_OFF_T(s->size)) target = OPJ_OFF_T(s->size);
  OPJ_OFF_T moved = target - OPJ_OFF_T(s->position);
  s->position = OPJ_SIZE_T(target);
  return moved;
}
static OPJ_BOOL streamSeek(OPJ_OFF_T n, void *user) {
  auto *s = static_cast<MemoryStream *>(user);
  if (n < 0 || n > OPJ_OFF_T(s->size)) return OPJ_FALSE;
  s->position = OPJ_SIZE_T(n);
  return OPJ_TRUE;
}

template <typename T>
static void interleave(opj_image_t *image, T *out, int width, int height, int components) {
  const size_t pixels = size_t(width) * height;
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  for (int c = 0; c < components; c++) {
    const OPJ_INT32 *src = image->comps[c].data;
    T *dst = out + c;
    for (size_t i = 0; i < pixels; i++, dst += components) {
      const int32_t v = src[i];
      *dst = T(v < lo ? lo : v > hi ? hi : v);
    }
  }
}

static Decoded decodeOpenjpeg(const uint8_t *in, size_t size, const Frame &) {
  static const uint8_t jp2Signature[] = {0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20};
  const bool jp2 = size >= 8 && std::memcmp(in, jp2Signature, 8) == 0;
  MemoryStream memory{in, size, 0};
  opj_stream_t *stream = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE);
  opj_stream_set_user_data(stream, &memory, nullptr);
  opj_stream_set_user_data_length(stream, size);
  opj_stream_set_read_function(stream, streamRead);
  opj_stream_set_skip_function(stream, streamSkip);
  opj_stream_set_seek_function(stream, streamSeek);
  opj_codec_t *codec = opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
  opj_dparameters_t parameters;
  opj_set_default_decoder_parameters(&parameters);
  opj_image_t *image = nullptr;
  bool ok = opj_setup_decoder(codec, &parameters) && opj_codec_set_threads(codec, 1) &&
            opj_read_header(stream, codec, &image) && opj_decode(codec, stream, image) &&
            opj_end_decompress(codec, stream);
  Decoded d;
  if (ok) {
    const opj_image_comp_t &c0 = image->comps[0];
    d.width = int(c0.w), d.height = int(c0.h), d.components = int(image->numcomps);
    d.bytesPerSample = c0.prec > 8 ? 2 : 1;
    d.bytes = size_t(d.width) * d.height * d.components * d.bytesPerSample;
    d.data = allocate(d.bytes);
    if (d.bytesPerSample == 1) {
      if (c0.sgnd) interleave(image, reinterpret_cast<int8_t *>(d.data), d.width, d.height, d.components);
      else interleave(image, d.data, d.width, d.height, d.components);
    } else if (c0.sgnd) {
      interleave(image, reinterpret_cast<int16_t *>(d.data), d.width, d.height, d.components);
    } else {
      interleave(image, reinterpret_cast<uint16_t *>(d.data), d.width, d.height, d.components);
    }
  }
  if (image) opj_image_destroy(image);
  opj_destroy_codec(codec);
  opj_stream_destroy(stream);
  if (!ok) fail("openjpeg: decode failed");
  return d;
}

// ---- OpenJPH (HTJ2K) from memory.
template <typename T>
static void storeLine(const ojph::line_buf *line, T *out, int width, int components) {
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  for (int x = 0; x < width; x++) {
    const int32_t v = line->i32[x];
    out[size_t(x) * components] = T(v < lo ? lo : v > hi ? hi : v);
  }
}

static Decoded decodeOpenjph(const uint8_t *in, size_t size, const Frame &) {
  ojph::codestream codestream;
  ojph::mem_infile file;
  file.open(in, size);
  codestream.read_headers(&file);
  ojph::param_siz siz = codestream.access_siz();
  Decoded d;
  d.width = int(siz.get_recon_width(0)), d.height = int(siz.get_recon_height(0));
  d.components = int(siz.get_num_components());
  const int depth = int(siz.get_bit_depth(0));
  const bool isSigned = siz.is_signed(0);
  d.bytesPerSample = depth > 8 ? 2 : 1;
  d.bytes = size_t(d.width) * d.height * d.components * d.bytesPerSample;
  d.data = allocate(d.bytes);
  codestream.set_planar(false);
  codestream.create();
  for (int y = 0; y < d.height; y++) {
    for (int c = 0; c < d.components; c++) {
      ojph::ui32 component;
      ojph::line_buf *line = codestream.pull(component);
      const size_t at = (size_t(y) * d.width * d.components + component) * d.bytesPerSample;
      if (d.bytesPerSample == 1) storeLine(line, d.data + at, d.width, d.components);
      else if (isSigned) storeLine(line, reinterpret_cast<int16_t *>(d.data + at), d.width, d.components);
      else storeLine(line, reinterpret_cast<uint16_t *>(d.data + at), d.width, d.components);
    }
  }
  codestream.close();
  return d;
}

// ---- dcmtk's RLE decoder (DcmRLEDecoder, what dcmdrle runs): one PackBits decode per segment, then
// each byte plane is placed into the colour-by-pixel little-endian output, as dcmtk's RLE codec does.
static Decoded decodeRle(const uint8_t *in, size_t size, const Frame &f) {
  if (size < 64) fail("rle: short frame");
  uint32_t header[16];
  std::memcpy(header, in, 64);
  const int bytesPerSample = f.bitsAllocated / 8;
  const uint32_t segments = header[0];
  if (int(segments) != bytesPerSample * f.samples) fail("rle: unexpected segment count");
  const size_t pixels = size_t(f.rows) * f.columns;
  Decoded d;
  d.width = f.columns, d.height = f.rows, d.components = f.samples, d.bytesPerSample = bytesPerSample;
  d.bytes = pixels * f.samples * bytesPerSample;
  d.data = allocate(d.bytes);
  DcmRLEDecoder rle(pixels);
  const size_t stride = size_t(bytesPerSample) * f.samples;
  for (uint32_t s = 0; s < segments; s++) {
    const size_t start = header[1 + s], end = s + 1 < segments ? header[2 + s] : size;
    if (start < 64 || start > end || end > size) fail("rle: bad segment offsets");
    rle.clear();
    rle.decompress(const_cast<uint8_t *>(in + start), end - start);
    if (rle.fail() || rle.size() != pixels) fail("rle: segment decodes to the wrong length");
    const int sample = int(s) / bytesPerSample, byteOfSample = bytesPerSample - 1 - int(s) % bytesPerSample;
    const auto *plane = static_cast<const uint8_t *>(rle.getOutputBuffer());
    uint8_t *dst = d.data + size_t(sample) * bytesPerSample + byteOfSample;
    for (size_t i = 0; i < pixels; i++, dst += stride) *dst = plane[i];
  }
  return d;
}

static double nowMs() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 12) {
    std::fprintf(stderr,
                 "usage: %s CODEC INPUT OUTPUT REPEATS WARMUP ROWS COLUMNS SAMPLES BITS_ALLOCATED SIGNED YBR\n",
                 argv[0]);
    return 1;
  }
  const std::string codec = argv[1];
  const int repeats = std::atoi(argv[4]), warmup = std::atoi(argv[5]);
  const Frame frame{std::atoi(argv[6]), std::atoi(argv[7]), std::atoi(argv[8]), std::atoi(argv[9]),
                    std::atoi(argv[10]) != 0, std::atoi(argv[11]) != 0};
  OFLog::configure(OFLogger::ERROR_LOG_LEVEL);

  std::FILE *input = std::fopen(argv[2], "rb");
  if (!input) return std::perror(argv[2]), 1;
  std::vector<uint8_t> bytes;
  uint8_t chunk[65536];
  for (size_t n; (n = std::fread(chunk, 1, sizeof chunk, input)) > 0;) bytes.insert(bytes.end(), chunk, chunk + n);
  std::fclose(input);

  Decoded (*decode)(const uint8_t *, size_t, const Frame &) = nullptr;
  std::string library;
  if (codec == "turbojpeg") {
    turbo = tjInitDecompress();
    decode = decodeTurbo, library = "libjpeg-turbo " STR(LIBJPEG_TURBO_VERSION) " (TurboJPEG API)";
  } else if (codec == "dcmtk-ijg12") {
    decode = decodeDcmtk<DJDecompressIJG12Bit>, library = "dcmtk " PACKAGE_VERSION " libijg12 (IJG 6b, 12-bit)";
  } else if (codec == "dcmtk-ijg16") {
    decode = decodeDcmtk<DJDecompressIJG16Bit>, library = "dcmtk " PACKAGE_VERSION " libijg16 (IJG 6b, lossless)";
  } else if (codec == "charls") {
    decode = decodeCharls, library = std::string("CharLS ") + charls_get_version_string();
  } else if (codec == "openjpeg") {
    decode = decodeOpenjpeg, library = std::string("OpenJPEG ") + opj_version() + " (1 thread)";
  } else if (codec == "openjph") {
    decode = decodeOpenjph;
    library = "OpenJPH " STR(OPENJPH_VERSION_MAJOR) "." STR(OPENJPH_VERSION_MINOR) "." STR(OPENJPH_VERSION_PATCH);
  } else if (codec == "dcmtk-rle") {
    decode = decodeRle, library = "dcmtk " PACKAGE_VERSION " DcmRLEDecoder";
  } else {
    std::fprintf(stderr, "unknown codec %s\n", codec.c_str());
    return 1;
  }

  try {
    Decoded last;
    for (int i = 0; i < warmup; i++) std::free(decode(bytes.data(), bytes.size(), frame).data);
    std::vector<double> times;
    for (int i = 0; i < repeats; i++) {
      const double start = nowMs();
      Decoded d = decode(bytes.data(), bytes.size(), frame);
      times.push_back(nowMs() - start);
      std::free(last.data);
      last = d;
    }
    if (!last.data) fail("no timed decode (REPEATS must be at least 1)");
    std::FILE *out = std::fopen(argv[3], "wb");
    if (!out || std::fwrite(last.data, 1, last.bytes, out) != last.bytes || std::fclose(out) != 0) {
      fail(std::string("cannot write ") + argv[3]);
    }
    std::printf("{\"library\": \"%s\", \"width\": %d, \"height\": %d, \"components\": %d, \"bytesPerSample\": %d, "
                "\"timesMs\": [",
                library.c_str(), last.width, last.height, last.components, last.bytesPerSample);
    for (size_t i = 0; i < times.size(); i++) std::printf("%s%.4f", i ? ", " : "", times[i]);
    std::printf("]}\n");
    std::free(last.data);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "%s: %s\n", codec.c_str(), e.what());
    return 2;
  }
  if (turbo) tjDestroy(turbo);
  return 0;
}
