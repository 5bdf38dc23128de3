package kube

import "k8s.io/apimachinery/pkg/runtime/schema"

// GVRs of the kinds kdeck has views or actions for.
var (
	GVRPods                = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	GVRServices            = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	GVRSecrets             = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	GVRConfigMaps          = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	GVREvents              = schema.GroupVersionResource{Version: "v1", Resource: "events"}
	GVREventsAPI           = schema.GroupVersionResource{Group: "events.k8s.io", Version: "v1", Resource: "events"} // what the events view reads and canary steps are recorded with
	GVRNodes               = schema.GroupVersionResource{Version: "v1", Resource: "nodes"}
	GVRNamespaces          = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	GVREndpoints           = schema.GroupVersionResource{Version: "v1", Resource: "endpoints"}
	GVRPVCs                = schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumeclaims"}
	GVRDeployments         = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	GVRReplicaSets         = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}
	GVRStatefulSets        = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	GVRDaemonSets          = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}
	GVRControllerRevisions = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "controllerrevisions"}
	GVRJobs                = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
	GVRCronJobs            = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}
	GVRHPAs                = schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}
	GVRIngresses           = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}
	GVRPVs                 = schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumes"}
	GVREndpointSlices      = schema.GroupVersionResource{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"}
)
