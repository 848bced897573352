package io.jenkins.plugins.multiarch.manifest;

import java.nio.charset.StandardCharsets;

/** Realistic manifests as registries serve them (formatting kept: digests are over these exact bytes). */
final class Samples {

    private Samples() {}

    /** A Docker v2 schema 2 manifest as `docker push` writes it (3-space indent, Go field order). */
    static final String DOCKER_MANIFEST = """
            {
               "schemaVersion": 2,
               "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
               "config": {
                  "mediaType": "application/vnd.docker.container.image.v1+json",
                  "size": 1457,
                  "digest": "sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824"
               },
               "layers": [
                  {
                     "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                     "size": 2152262,
                     "digest": "sha256:3f4d90098f5b5a6f6a76e9d217da85aa39b2081e30fa1f7d287138d6e7bf0ad7"
                  },
                  {
                     "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                     "size": 1096,
                     "digest": "sha256:1c5b5c4bb3a2bc1d82a0ce8c5e06b7b1e8d0b2e3ab6e4c4bc7c0b7ba1c3b1a1f"
                  }
               ]
            }""";

    /** A Docker manifest list with a Windows entry (os.version, os.features) and arm variants. */
    static final String DOCKER_LIST = """
            {
               "schemaVersion": 2,
               "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
               "manifests": [
                  {
                     "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                     "size": 528,
                     "digest": "sha256:023917ec6a886d0e8e15f28fb543515a5fcd8d938edb091e8147db4efed388ee",
                     "platform": {
                        "architecture": "amd64",
                        "os": "linux"
                     }
                  },
                  {
                     "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                     "size": 528,
                     "digest": "sha256:dd8e54b2e3ea7ea8d2ce1ee5b1d21bdc1b06a3f0b6e81d6ae4b0b8c8d73e0f43",
                     "platform": {
                        "architecture": "arm",
                        "os": "linux",
                        "variant": "v7"
                     }
                  },
                  {
                     "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                     "size": 528,
                     "digest": "sha256:7b8a4c8b5cd2d8b7d3a1f2a0b3ba8a57d4c2d5b8e7e1c0f9ab4b3c2d1e0f9a8b",
                     "platform": {
                        "architecture": "arm64",
                        "os": "linux",
                        "variant": "v8"
                     }
                  },
                  {
                     "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                     "size": 1161,
                     "digest": "sha256:5a1c3a8b2e3f4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c",
                     "platform": {
                        "architecture": "amd64",
                        "os": "windows",
                        "os.version": "10.0.17763.5458",
                        "os.features": ["win32k"]
                     }
                  }
               ]
            }""";

    /**
     * An OCI index as `docker buildx build --platform linux/amd64,linux/arm64 --push` writes it: two images and
     * two attestation manifests (platform unknown/unknown) pointing at them.
     */
    static final String OCI_INDEX_WITH_ATTESTATIONS = """
            {
              "schemaVersion": 2,
              "mediaType": "application/vnd.oci.image.index.v1+json",
              "manifests": [
                {
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "digest": "sha256:2d6c8e1ab6a8a1d5c3b9e4f7a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9",
                  "size": 673,
                  "platform": {
                    "architecture": "amd64",
                    "os": "linux"
                  }
                },
                {
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "digest": "sha256:8f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4",
                  "size": 673,
                  "platform": {
                    "architecture": "arm64",
                    "os": "linux"
                  }
                },
                {
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "digest": "sha256:b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8",
                  "size": 566,
                  "annotations": {
                    "vnd.docker.reference.digest": "sha256:2d6c8e1ab6a8a1d5c3b9e4f7a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9",
                    "vnd.docker.reference.type": "attestation-manifest"
                  },
                  "platform": {
                    "architecture": "unknown",
                    "os": "unknown"
                  }
                },
                {
                  "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "digest": "sha256:c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2",
                  "size": 566,
                  "annotations": {
                    "vnd.docker.reference.digest": "sha256:8f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4",
                    "vnd.docker.reference.type": "attestation-manifest"
                  },
                  "platform": {
                    "architecture": "unknown",
                    "os": "unknown"
                  }
                }
              ]
            }
            """;

    /** An OCI image manifest as buildah writes it: no top-level mediaType in older versions, annotations. */
    static final String OCI_MANIFEST_NO_MEDIATYPE = """
            {"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json",\
            "digest":"sha256:0e5d5b2f4a1e7f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a","size":412},\
            "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",\
            "digest":"sha256:6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b","size":123}],\
            "annotations":{"org.opencontainers.image.base.name":"scratch",\
            "org.opencontainers.image.created":"2024-05-01T10:00:00Z"}}""";

    /** An attestation manifest (in-toto layers, subject-less as buildx writes it). */
    static final String OCI_ATTESTATION_MANIFEST = """
            {
              "schemaVersion": 2,
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": "sha256:9d1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8",
                "size": 167
              },
              "layers": [
                {
                  "mediaType": "application/vnd.in-toto+json",
                  "digest": "sha256:1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809",
                  "size": 1583,
                  "annotations": {
                    "in-toto.io/predicate-type": "https://spdx.dev/Document"
                  }
                }
              ]
            }
            """;

    /** An image config as Docker writes it; only os/architecture/variant matter to us. */
    static final String ARM_CONFIG = """
            {"architecture":"arm","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],\
            "Cmd":["sh"],"WorkingDir":"/","OnBuild":null},"created":"2024-01-01T00:00:00Z",\
            "history":[{"created":"2024-01-01T00:00:00Z","created_by":"ADD rootfs.tar /","empty_layer":false}],\
            "os":"linux","rootfs":{"type":"layers","diff_ids":\
            ["sha256:3f4d90098f5b5a6f6a76e9d217da85aa39b2081e30fa1f7d287138d6e7bf0ad7"]},"variant":"v7",\
            "moby.buildkit.buildinfo.v1":"eyJmcm9udGVuZCI6ImRvY2tlcmZpbGUudjAifQ=="}""";

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
