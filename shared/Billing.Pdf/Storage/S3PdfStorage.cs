using System.Net;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Billing.Pdf;

/// <summary>
/// PDFs in an S3-compatible bucket. A PUT replaces an object atomically on every S3 implementation, so no
/// temporary object is needed. The content's SHA-256 travels as object metadata for later verification.
/// </summary>
public sealed class S3PdfStorage : IPdfStorage, IDisposable
{
    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly string _bucket;
    private readonly string _prefix;

    public S3PdfStorage(S3PdfStorageOptions options)
        : this(CreateClient(options), options.Bucket, options.KeyPrefix, ownsClient: true)
    {
    }

    /// <summary>Over a client the caller configured and disposes.</summary>
    public S3PdfStorage(IAmazonS3 client, string bucket, string keyPrefix = "")
        : this(client, bucket, keyPrefix, ownsClient: false)
    {
    }

    private S3PdfStorage(IAmazonS3 client, string bucket, string keyPrefix, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        if (keyPrefix.Length > 0) PdfKeys.Validate(keyPrefix.TrimEnd('/'));
        _client = client;
        _bucket = bucket;
        _prefix = keyPrefix.Length == 0 || keyPrefix.EndsWith('/') ? keyPrefix : keyPrefix + "/";
        _ownsClient = ownsClient;
    }

    public async Task<PdfStoredObject> PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        var sha256 = PdfKeys.Sha256Hex(content.Span);
        var bytes = MemoryMarshal.TryGetArray(content, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = objectKey,
            InputStream = bytes,
            ContentType = "application/pdf",
            AutoCloseStream = true,
            // R2 and some MinIO versions reject aws-chunked uploads; a PDF is small enough to sign whole.
            UseChunkEncoding = false,
        };
        request.Metadata.Add("sha256", sha256);
        await _client.PutObjectAsync(request, ct);
        return new PdfStoredObject(key, content.Length, sha256);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        try
        {
            using var response = await _client.GetObjectAsync(_bucket, objectKey, ct);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, ct);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (IsNotFound(e))
        {
            return null;
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        try
        {
            await _client.GetObjectMetadataAsync(_bucket, objectKey, ct);
            return true;
        }
        catch (AmazonS3Exception e) when (IsNotFound(e))
        {
            return false;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        var objectKey = ObjectKey(key);
        await _client.DeleteObjectAsync(_bucket, objectKey, ct);
    }

    public void Dispose()
    {
        if (_ownsClient) _client.Dispose();
    }

    /// <summary>Validates before any request, so a bad key fails the same way as on the file system.</summary>
    internal string ObjectKey(string key)
    {
        PdfKeys.Validate(key);
        return _prefix + key;
    }

    private static bool IsNotFound(AmazonS3Exception e) =>
        e.StatusCode == HttpStatusCode.NotFound || e.ErrorCode is "NoSuchKey" or "NotFound";

    private static AmazonS3Client CreateClient(S3PdfStorageOptions options)
    {
        options.Validate();
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            // Newer SDK defaults add CRC checksums that MinIO/R2 versions in the field do not all accept.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        return new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
