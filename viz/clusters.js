// Folding a large network into clusters (see page.py's CLUSTER_AT), shared by the network
// pages and to_pyvis's page. civicgraphClusters(network, clusters, clusterOf, changed):
// clusters as page_data writes them, clusterOf(nodeId) a node's cluster key, changed()
// called after each fold or expansion. Cluster labels and titles reach vis-network's
// canvas and its text tooltip only.
window.civicgraphClusters = function (network, clusters, clusterOf, changed) {
  "use strict";
  var byId = new Map();
  clusters.forEach(function (c) { byId.set("cluster:" + c.key, c); });
  var folding = { expanded: [] };
  folding.collapse = function () {
    clusters.forEach(function (c) {
      var id = "cluster:" + c.key;
      if (network.body.nodes[id] && network.isCluster(id)) return;
      network.cluster({
        joinCondition: function (options) { return clusterOf(options.id) === c.key; },
        clusterNodeProperties: {
          id: id, label: c.label, title: c.title, shape: "dot", size: c.size, x: c.x, y: c.y,
          color: { background: c.color, border: "#333333" }, borderWidth: 2,
          font: { size: 22, color: "#111111", strokeWidth: 3, strokeColor: "#ffffff" }
        }
      });
    });
    folding.expanded.length = 0;
    changed();
    network.fit({ animation: false });
  };
  // Expands the cluster ``id``; false when ``id`` is not a folded cluster.
  folding.expand = function (id) {
    if (!byId.has(id) || !network.isCluster(id)) return false;
    network.openCluster(id);
    folding.expanded.push(byId.get(id).key);
    changed();
    return true;
  };
  return folding;
};
