"""``kube-actors describe`` prints pod templates, pods and Deployments as kubectl 1.32 does.

The expected blocks are kubectl 1.32's own output for the same objects: ports joined with
``", "``, each volume source with its description and fields, the template's
``Node-Selectors``, ``Tolerations`` and ``Topology Spread Constraints``, where a container's
environment comes from, and the ``OldReplicaSets``/``NewReplicaSet`` lines only when the
Deployment has a ReplicaSet (every old one listed, scaled to zero or not).
"""

from __future__ import annotations

import re
from pathlib import Path

WORDPRESS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wordpress
spec:
  replicas: 1
  selector:
    matchLabels: {app: wp}
  template:
    metadata:
      labels: {app: wp}
    spec:
      nodeSelector: {disktype: ssd, zone: a}
      tolerations:
      - key: dedicated
        operator: Equal
        value: web
        effect: NoSchedule
      - operator: Exists
      - key: node.kubernetes.io/unreachable
        operator: Exists
        effect: NoExecute
        tolerationSeconds: 300
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: zone
        whenUnsatisfiable: DoNotSchedule
        labelSelector: {matchLabels: {app: wp}}
      containers:
      - name: wp
        image: wordpress:6
        ports:
        - containerPort: 80
        - containerPort: 443
          name: https
      volumes:
      - name: pass
        secret: {secretName: mysql-pass}
      - name: cfg
        configMap: {name: wp-config, optional: true}
      - name: tmp
        emptyDir: {medium: Memory, sizeLimit: 64Mi}
      - name: data
        persistentVolumeClaim: {claimName: wp-pv-claim}
      - name: host
        hostPath: {path: /var/log, type: Directory}
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  nodeSelector: {disktype: ssd}
  tolerations:
  - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
  topologySpreadConstraints:
  - {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule}
  containers:
  - name: app
    image: nginx:1.25
    ports:
    - {containerPort: 80}
    - {containerPort: 443, name: https}
    - {containerPort: 53, protocol: UDP}
    envFrom:
    - configMapRef: {name: web-config}
    - secretRef: {name: web-secret, optional: true}
      prefix: SECRET_
    env:
    - {name: MODE, value: production}
    - name: POD_NAME
      valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}
    - name: APP_LABEL
      valueFrom: {fieldRef: {apiVersion: v1, fieldPath: "metadata.labels['app']"}}
    - name: CPU_LIMIT
      valueFrom: {resourceFieldRef: {resource: limits.cpu}}
    - name: MEMORY_REQUEST
      valueFrom: {resourceFieldRef: {resource: requests.memory, divisor: 1Mi}}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: web-secret, key: password}}
    resources:
      requests: {memory: 128Mi}
    volumeMounts:
    - {name: token, mountPath: /var/run/token, readOnly: true}
  volumes:
  - name: token
    projected:
      sources:
      - secret: {name: web-secret}
      - configMap: {name: web-config}
      - downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
      - serviceAccountToken: {path: token, expirationSeconds: 7200}
  - name: podinfo
    downwardAPI:
      items:
      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - {path: cpu, resourceFieldRef: {containerName: app, resource: limits.cpu}}
  - name: inline
    csi: {driver: inline.storage.kubernetes.io, volumeAttributes: {size: 1Gi, class: fast}}
  - name: share
    nfs: {server: nfs.example.com, path: /exports/web, readOnly: true}
  - name: scratch
    ephemeral:
      volumeClaimTemplate:
        metadata: {labels: {type: scratch}}
        spec: {accessModes: [ReadWriteOnce], storageClassName: fast, volumeMode: Filesystem, resources: {requests: {storage: 1Gi}}}
"""

LEGACY = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy}
spec:
  replicas: 0
  selector: {matchLabels: {app: legacy}}
  template:
    metadata: {labels: {app: legacy}}
    spec:
      containers:
      - {name: app, image: busybox}
      volumes:
      - {name: logs, hostPath: {path: /var/log}}
      - {name: cache, emptyDir: {}}
      - {name: big, emptyDir: {sizeLimit: 2Gi}}
      - {name: disk, azureDisk: {diskName: data, diskURI: "https://example.blob/data.vhd"}}
      - {name: block, rbd: {monitors: ["10.0.0.1:6789", "10.0.0.2:6789"], image: web}}
      - {name: lun, iscsi: {targetPortal: "10.0.0.9:3260", iqn: "iqn.2024-01.example:web", lun: 1}}
      - {name: src, gitRepo: {repository: "https://example.com/web.git", revision: main}}
"""


def _block(text: str, first: str, end: str) -> str:
    """The lines of ``text`` from the one starting with ``first`` to before ``end``."""
    start = text.index(first)
    return text[start : text.index(end, start + len(first))]


def test_deployment_pod_template_lists_ports_volumes_and_scheduling_as_kubectl_does(
    cli, tmp_path: Path
) -> None:
    (tmp_path / "wordpress.yaml").write_text(WORDPRESS)
    assert cli("apply", "-f", "wordpress.yaml").code == 0
    text = cli("describe", "deployment", "wordpress").out
    assert _block(text, "Pod Template:\n", "\nConditions:") + "\n" == (
        "Pod Template:\n"
        "  Labels:  app=wp\n"
        "  Containers:\n"
        "   wp:\n"
        "    Image:        wordpress:6\n"
        "    Ports:        80/TCP, 443/TCP\n"
        "    Host Ports:   0/TCP, 0/TCP\n"
        "    Environment:  <none>\n"
        "    Mounts:       <none>\n"
        "  Volumes:\n"
        "   pass:\n"
        "    Type:        Secret (a volume populated by a Secret)\n"
        "    SecretName:  mysql-pass\n"
        "    Optional:    false\n"
        "   cfg:\n"
        "    Type:      ConfigMap (a volume populated by a ConfigMap)\n"
        "    Name:      wp-config\n"
        "    Optional:  true\n"
        "   tmp:\n"
        "    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)\n"
        "    Medium:     Memory\n"
        "    SizeLimit:  64Mi\n"
        "   data:\n"
        "    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"
        "    ClaimName:  wp-pv-claim\n"
        "    ReadOnly:   false\n"
        "   host:\n"
        "    Type:                       HostPath (bare host directory volume)\n"
        "    Path:                       /var/log\n"
        "    HostPathType:               Directory\n"
        "  Topology Spread Constraints:  zone:DoNotSchedule when max skew 1 is exceeded for selector app=wp\n"
        "  Node-Selectors:               disktype=ssd\n"
        "                                zone=a\n"
        "  Tolerations:                  op=Exists\n"
        "                                dedicated=web:NoSchedule\n"
        "                                node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
    )


def test_replica_set_pod_template_shows_node_selectors_and_tolerations(cli, tmp_path: Path) -> None:
    (tmp_path / "wordpress.yaml").write_text(WORDPRESS)
    assert cli("apply", "-f", "wordpress.yaml").code == 0
    text = cli("describe", "replicaset").out
    assert "    Ports:        80/TCP, 443/TCP\n" in text
    assert "  Node-Selectors:               disktype=ssd\n" in text
    assert "                                dedicated=web:NoSchedule\n" in text


def test_pod_shows_env_sources_volumes_and_scheduling_rules_as_kubectl_does(
    cli, tmp_path: Path
) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    assert cli("apply", "-f", "pod.yaml").code == 0
    text = cli("describe", "pod", "web").out
    assert _block(text, "Containers:\n", "\nConditions:") + "\n" == (
        "Containers:\n"
        "  app:\n"
        "    Image:       nginx:1.25\n"
        "    Ports:       80/TCP, 443/TCP, 53/UDP\n"
        "    Host Ports:  0/TCP, 0/TCP, 0/UDP\n"
        "    Requests:\n"
        "      memory:  128Mi\n"
        "    Environment Variables from:\n"
        "      web-config  ConfigMap                     Optional: false\n"
        "      web-secret  Secret with prefix 'SECRET_'  Optional: true\n"
        "    Environment:\n"
        "      MODE:            production\n"
        "      POD_NAME:        web (v1:metadata.name)\n"
        "      APP_LABEL:        (v1:metadata.labels['app'])\n"
        "      CPU_LIMIT:       node allocatable (limits.cpu)\n"
        "      MEMORY_REQUEST:  128 (requests.memory)\n"
        "      PASSWORD:        <set to the key 'password' in secret 'web-secret'>  Optional: false\n"
        "    Mounts:\n"
        "      /var/run/token from token (ro)\n"
    )
    assert _block(text, "Volumes:\n", "\nEvents:") + "\n" == (
        "Volumes:\n"
        "  token:\n"
        "    Type:                    Projected (a volume that contains injected data from multiple sources)\n"
        "    SecretName:              web-secret\n"
        "    SecretOptionalName:      <nil>\n"
        "    ConfigMapName:           web-config\n"
        "    ConfigMapOptional:       <nil>\n"
        "    DownwardAPI:             true\n"
        "    TokenExpirationSeconds:  7200\n"
        "  podinfo:\n"
        "    Type:  DownwardAPI (a volume populated by information about the pod)\n"
        "    Items:\n"
        "      metadata.labels -> labels\n"
        "      limits.cpu -> cpu\n"
        "  inline:\n"
        "    Type:              CSI (a Container Storage Interface (CSI) volume source)\n"
        "    Driver:            inline.storage.kubernetes.io\n"
        "    FSType:            \n"
        "    ReadOnly:          false\n"
        "    VolumeAttributes:      class=fast\n"
        "                           size=1Gi\n"
        "  share:\n"
        "    Type:      NFS (an NFS mount that lasts the lifetime of a pod)\n"
        "    Server:    nfs.example.com\n"
        "    Path:      /exports/web\n"
        "    ReadOnly:  true\n"
        "  scratch:\n"
        "    Type:                     EphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n"
        "    StorageClass:             fast\n"
        "    Volume:                   \n"
        "    Labels:                       type=scratch\n"
        "    Annotations:                  <none>\n"
        "    Capacity:                 \n"
        "    Access Modes:             \n"
        "    VolumeMode:               Filesystem\n"
        "QoS Class:                    Burstable\n"
        "Node-Selectors:               disktype=ssd\n"
        "Tolerations:                  dedicated=web:NoSchedule\n"
        "                              node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n"
        "                              node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
        "Topology Spread Constraints:  kubernetes.io/hostname:DoNotSchedule when max skew 1 is exceeded\n"
        "                              zone:ScheduleAnyway when max skew 2 is exceeded for selector app=web\n"
    )


def test_volume_fields_the_api_server_defaults_print_with_their_defaults(
    cli, tmp_path: Path
) -> None:
    (tmp_path / "legacy.yaml").write_text(LEGACY)
    assert cli("apply", "-f", "legacy.yaml").code == 0
    text = cli("describe", "deployment", "legacy").out
    assert _block(text, "  Volumes:\n", "\nConditions:") + "\n" == (
        "  Volumes:\n"
        "   logs:\n"
        "    Type:          HostPath (bare host directory volume)\n"
        "    Path:          /var/log\n"
        "    HostPathType:  \n"
        "   cache:\n"
        "    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)\n"
        "    Medium:     \n"
        "    SizeLimit:  <unset>\n"
        "   big:\n"
        "    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)\n"
        "    Medium:     \n"
        "    SizeLimit:  2Gi\n"
        "   disk:\n"
        "    Type:         AzureDisk (an Azure Data Disk mount on the host and bind mount to the pod)\n"
        "    DiskName:     data\n"
        "    DiskURI:      https://example.blob/data.vhd\n"
        "    Kind:         Shared\n"
        "    FSType:       ext4\n"
        "    CachingMode:  ReadWrite\n"
        "    ReadOnly:     false\n"
        "   block:\n"
        "    Type:          RBD (a Rados Block Device mount on the host that shares a pod's lifetime)\n"
        "    CephMonitors:  [10.0.0.1:6789 10.0.0.2:6789]\n"
        "    RBDImage:      web\n"
        "    FSType:        \n"
        "    RBDPool:       rbd\n"
        "    RadosUser:     admin\n"
        "    Keyring:       /etc/ceph/keyring\n"
        "    SecretRef:     nil\n"
        "    ReadOnly:      false\n"
        "   lun:\n"
        "    Type:               ISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod)\n"
        "    TargetPortal:       10.0.0.9:3260\n"
        "    IQN:                iqn.2024-01.example:web\n"
        "    Lun:                1\n"
        "    ISCSIInterface      default\n"
        "    FSType:             \n"
        "    ReadOnly:           false\n"
        "    Portals:            []\n"
        "    DiscoveryCHAPAuth:  false\n"
        "    SessionCHAPAuth:    false\n"
        "    SecretRef:          nil\n"
        "    InitiatorName:      <none>\n"
        "   src:\n"
        "    Type:          GitRepo (a volume that is pulled from git when the pod is created)\n"
        "    Repository:    https://example.com/web.git\n"
        "    Revision:      main\n"
        "  Node-Selectors:  <none>\n"
        "  Tolerations:     <none>\n"
    )


def test_deployment_lists_every_old_replica_set_even_when_scaled_to_zero(
    cli, tmp_path: Path, nginx: str
) -> None:
    (tmp_path / "web.yaml").write_text(nginx)
    assert cli("apply", "-f", "web.yaml").code == 0
    assert cli("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1").code == 0
    assert cli("rollout", "status", "deployment/nginx-deployment").code == 0
    text = cli("describe", "deployment", "nginx-deployment").out
    assert re.search(
        r"\nOldReplicaSets:  nginx-deployment-\w+ \(0/0 replicas created\)\n"
        r"NewReplicaSet:   nginx-deployment-\w+ \(3/3 replicas created\)\n",
        text,
    )


def test_deployment_without_a_replica_set_prints_no_replica_set_lines(
    cli, tmp_path: Path, nginx: str
) -> None:
    (tmp_path / "web.yaml").write_text(nginx.replace("spec:\n", "spec:\n  paused: true\n", 1))
    assert cli("apply", "-f", "web.yaml").code == 0
    assert cli("get", "replicasets", "-o", "name").out == ""
    text = cli("describe", "deployment", "nginx-deployment").out
    assert "ReplicaSet:" not in text
    assert re.search(r"\n  Available +False +MinimumReplicasUnavailable\nEvents: ", text)
